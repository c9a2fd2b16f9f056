using LookupDecode.Models;

namespace LookupDecode.Drafting;

/// <summary>Which earlier occurrence of the matched n-gram prompt lookup continues.</summary>
public enum PromptLookupMatch
{
    /// <summary>The first occurrence (Hugging Face <c>prompt_lookup_num_tokens</c>, vLLM).</summary>
    Earliest,

    /// <summary>The latest occurrence before the current position (llama.cpp's newer ngram-simple drafter).</summary>
    MostRecent,
}

/// <summary>Settings of <see cref="PromptLookupDrafter"/>; the draft length is the generation's draft length.</summary>
public sealed record PromptLookupOptions
{
    /// <summary>Longest n-gram a drafter may index.</summary>
    public const int MaxSupportedNgramSize = PromptNgram.MaxLength;

    /// <summary>Longest suffix n-gram to match, tried first (Hugging Face <c>max_matching_ngram_size</c>). Default 3.</summary>
    public int MaxNgramSize { get; init; } = 3;

    /// <summary>Shortest suffix n-gram to match (vLLM <c>prompt_lookup_min</c>; Hugging Face uses 1). Default 1.</summary>
    public int MinNgramSize { get; init; } = 1;

    /// <summary>Which occurrence to continue. Default <see cref="PromptLookupMatch.Earliest"/>, as Hugging Face.</summary>
    public PromptLookupMatch Match { get; init; } = PromptLookupMatch.Earliest;

    /// <summary>Throws <see cref="InvalidOptionException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (MaxNgramSize is < 1 or > MaxSupportedNgramSize)
        {
            throw new InvalidOptionException(nameof(MaxNgramSize), $"must be between 1 and {MaxSupportedNgramSize}, was {MaxNgramSize}");
        }

        if (MinNgramSize < 1 || MinNgramSize > MaxNgramSize)
        {
            throw new InvalidOptionException(nameof(MinNgramSize), $"must be between 1 and {nameof(MaxNgramSize)} ({MaxNgramSize}), was {MinNgramSize}");
        }

        if (!Enum.IsDefined(Match))
        {
            throw new InvalidOptionException(nameof(Match), $"unknown match preference {(int)Match}");
        }
    }
}
