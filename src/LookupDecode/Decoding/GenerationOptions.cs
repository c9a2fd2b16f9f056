using LookupDecode.Drafting;
using LookupDecode.Models;

namespace LookupDecode.Decoding;

/// <summary>What to generate and how to draft. Immutable; checked by <see cref="Validate"/> before any decoding.</summary>
public sealed record GenerationOptions
{
    /// <summary>Longest draft a single verify step may carry.</summary>
    public const int MaxDraftLength = 256;

    /// <summary>Most tokens to generate. Default 128.</summary>
    public int MaxTokens { get; init; } = 128;

    /// <summary>Where drafts come from. Default <see cref="DecodingMode.Greedy"/> (no drafts).</summary>
    public DecodingMode Mode { get; init; } = DecodingMode.Greedy;

    /// <summary>Most draft tokens verified per <c>llama_decode</c> (1…256). Default 10.</summary>
    public int DraftLength { get; init; } = 10;

    /// <summary>Fixed-length drafts (default) or adaptive drafting; <see cref="DecodingMode.Auto"/> is always adaptive.</summary>
    public DraftPolicy DraftPolicy { get; init; } = DraftPolicy.Fixed;

    /// <summary>The cost model adaptive drafting weighs drafts against.</summary>
    public AdaptiveDraftingOptions Adaptive { get; init; } = new();

    /// <summary>True when drafting is adaptive (by policy, or because the mode is <see cref="DecodingMode.Auto"/>).</summary>
    public bool IsAdaptive => Mode == DecodingMode.Auto || (Mode != DecodingMode.Greedy && DraftPolicy == DraftPolicy.Adaptive);

    /// <summary>Prompt-lookup settings (used in <see cref="DecodingMode.PromptLookup"/>).</summary>
    public PromptLookupOptions PromptLookup { get; init; } = new();

    /// <summary>Static and dynamic n-gram caches (used in <see cref="DecodingMode.Lookup"/>).</summary>
    public LookupCacheOptions Lookup { get; init; } = new();

    /// <summary>
    /// Texts that end generation when they appear in the output (matched on text, across token boundaries). The
    /// result's text stops before the first one; streamed pieces never contain any part of one (a piece that might begin
    /// one is held back until it is decided).
    /// </summary>
    public IReadOnlyList<string> StopSequences { get; init; } = [];

    /// <summary>
    /// Render special tokens (BOS, EOS, control tokens) as their text, as llama.cpp's examples print them (default), or
    /// leave them out of the text (what a chat reply wants). Tokens are reported either way.
    /// </summary>
    public bool RenderSpecialTokens { get; init; } = true;

    /// <summary>Token selection (greedy by default).</summary>
    public SamplingOptions Sampling { get; init; } = SamplingOptions.Greedy;

    /// <summary>
    /// Reproduce <c>llama-lookup</c>'s stopping rule instead of stopping exactly at <see cref="MaxTokens"/>:
    /// finish the verified batch and stop after the batch in which the count first exceeds the limit (an
    /// end-of-generation token likewise ends the run only after its batch). For figure-for-figure comparisons.
    /// </summary>
    public bool UpstreamStoppingRule { get; init; }

    /// <summary>Throws <see cref="InvalidOptionException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (MaxTokens is < 1 or > ModelOptions.MaxContextSize)
        {
            throw new InvalidOptionException(nameof(MaxTokens), $"must be between 1 and {ModelOptions.MaxContextSize}, was {MaxTokens}");
        }

        if (!Enum.IsDefined(Mode))
        {
            throw new InvalidOptionException(nameof(Mode), $"unknown decoding mode {(int)Mode}");
        }

        if (DraftLength is < 1 or > MaxDraftLength)
        {
            throw new InvalidOptionException(nameof(DraftLength), $"must be between 1 and {MaxDraftLength}, was {DraftLength}");
        }

        ArgumentNullException.ThrowIfNull(Sampling);
        Sampling.Validate();
        ArgumentNullException.ThrowIfNull(PromptLookup);
        PromptLookup.Validate();
        ArgumentNullException.ThrowIfNull(Lookup);
        ArgumentNullException.ThrowIfNull(Adaptive);
        if (!Enum.IsDefined(DraftPolicy))
        {
            throw new InvalidOptionException(nameof(DraftPolicy), $"unknown draft policy {(int)DraftPolicy}");
        }
        ArgumentNullException.ThrowIfNull(StopSequences);
        if (StopSequences.Count > 64 || StopSequences.Any(stop => stop is null || stop.Length > 1024))
        {
            throw new InvalidOptionException(nameof(StopSequences), "at most 64 sequences of at most 1024 characters each");
        }
    }
}
