using LookupDecode.Gguf;

namespace LookupDecode.Models;

/// <summary>
/// Whether one model may draft for another: the rules of llama.cpp's speculative examples
/// (<c>common_speculative_are_compatible</c>), read from both files' GGUF metadata before anything loads. The tokenizer
/// type must match (compared as the type itself, not only SentencePiece-or-not), so must whether BOS and EOS are added
/// and their ids; the vocabularies may differ in size by at most <see cref="MaxSizeDifference"/> tokens; and every token
/// from id <see cref="FirstComparedToken"/> up to the smaller vocabulary must have the same text.
/// </summary>
public static class VocabularyCompatibility
{
    /// <summary>Most tokens by which the two vocabularies may differ in size (llama.cpp's <c>SPEC_VOCAB_MAX_SIZE_DIFFERENCE</c>).</summary>
    public const int MaxSizeDifference = 128;

    /// <summary>The first token id whose text is compared (llama.cpp's <c>SPEC_VOCAB_CHECK_START_TOKEN_ID</c>).</summary>
    public const int FirstComparedToken = 5;

    /// <summary>Checks the two files; throws <see cref="VocabularyMismatchException"/> naming the first difference.</summary>
    /// <exception cref="ModelLoadException">A file is missing or not a model the gate accepts.</exception>
    public static void Check(string targetPath, string draftPath)
        => Check(ModelFileCheck.Check(targetPath, scanWeights: false), ModelFileCheck.Check(draftPath, scanWeights: false));

    /// <summary>Checks two already-read GGUF directories.</summary>
    public static void Check(GgufFile target, GgufFile draft)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(draft);
        var problem = FirstDifference(target, draft);
        if (problem is not null)
        {
            throw new VocabularyMismatchException(target.Path, draft.Path, problem);
        }
    }

    /// <summary>The first difference that makes <paramref name="draft"/> unable to draft for <paramref name="target"/>, or null.</summary>
    public static string? FirstDifference(GgufFile target, GgufFile draft)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(draft);
        var targetType = target.GetString("tokenizer.ggml.model");
        var draftType = draft.GetString("tokenizer.ggml.model");
        if (targetType != draftType)
        {
            return $"the tokenizer types differ (target '{targetType}', draft '{draftType}')";
        }

        var defaults = TokenizerDefaults.Of(targetType);
        foreach (var (name, key, fallback) in new[]
                 {
                     ("adds BOS", "tokenizer.ggml.add_bos_token", defaults.AddBos),
                     ("adds EOS", "tokenizer.ggml.add_eos_token", defaults.AddEos),
                 })
        {
            bool Flag(GgufFile file) => file.TryGetValue(key, out var value) && value.Value is bool flag ? flag : fallback;
            if (Flag(target) != Flag(draft))
            {
                return $"'{name}' differs (target {Flag(target)}, draft {Flag(draft)})";
            }
        }

        var targetTokens = Tokens(target);
        var draftTokens = Tokens(draft);
        foreach (var (name, key, fallback) in new[]
                 {
                     ("BOS", "tokenizer.ggml.bos_token_id", defaults.Bos),
                     ("EOS", "tokenizer.ggml.eos_token_id", defaults.Eos),
                 })
        {
            long? Id(GgufFile file, int vocabulary) => file.GetInt64(key) is { } id && id >= 0 && id < vocabulary ? id : fallback;
            if (Id(target, targetTokens.Length) != Id(draft, draftTokens.Length))
            {
                return $"the {name} token differs (target {Id(target, targetTokens.Length)?.ToString() ?? "none"}, draft {Id(draft, draftTokens.Length)?.ToString() ?? "none"})";
            }
        }

        if (Math.Abs(targetTokens.Length - draftTokens.Length) > MaxSizeDifference)
        {
            return $"the vocabularies hold {targetTokens.Length} and {draftTokens.Length} tokens (at most {MaxSizeDifference} apart)";
        }

        for (var id = FirstComparedToken; id < Math.Min(targetTokens.Length, draftTokens.Length); id++)
        {
            if (!string.Equals(targetTokens[id], draftTokens[id], StringComparison.Ordinal))
            {
                return $"token {id} is '{targetTokens[id]}' in the target and '{draftTokens[id]}' in the draft";
            }
        }

        return null;
    }

    private static string[] Tokens(GgufFile file)
        => file.TryGetValue("tokenizer.ggml.tokens", out var value) && value.AsArray()?.Items is string[] texts ? texts : [];
}
