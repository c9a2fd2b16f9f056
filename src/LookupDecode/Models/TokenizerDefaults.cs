namespace LookupDecode.Models;

/// <summary>
/// What llama.cpp assumes for a tokenizer when a GGUF file does not say (or names an invalid id): whether it adds BOS
/// and EOS, their ids, and the highest default special id it reads without checking the vocabulary's size.
/// </summary>
/// <param name="AddBos">BOS is added when <c>tokenizer.ggml.add_bos_token</c> is absent.</param>
/// <param name="AddEos">EOS is added when <c>tokenizer.ggml.add_eos_token</c> is absent.</param>
/// <param name="Bos">The default BOS id, or null for none.</param>
/// <param name="Eos">The default EOS id, or null for none.</param>
/// <param name="HighestId">The highest default special id (the vocabulary must be larger).</param>
internal sealed record TokenizerDefaults(bool AddBos, bool AddEos, int? Bos, int? Eos, int HighestId)
{
    /// <summary>The defaults of tokenizer <paramref name="model"/> (GGUF <c>tokenizer.ggml.model</c>).</summary>
    public static TokenizerDefaults Of(string? model) => model switch
    {
        "llama" => new(AddBos: true, AddEos: false, Bos: 1, Eos: 2, HighestId: 2),
        "gpt2" => new(AddBos: false, AddEos: false, Bos: 11, Eos: 11, HighestId: 11),
        "bert" => new(AddBos: true, AddEos: false, Bos: 101, Eos: null, HighestId: 103),
        "t5" => new(AddBos: false, AddEos: true, Bos: null, Eos: 1, HighestId: 2),
        _ => new(AddBos: false, AddEos: false, Bos: null, Eos: null, HighestId: 0),
    };
}
