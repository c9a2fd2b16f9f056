using LookupDecode.Drafting;
using LookupDecode.Models;

namespace LookupDecode.Decoding;

/// <summary>What to generate and how to draft. Immutable; checked by <see cref="Validate"/> before any decoding.</summary>
public sealed record GenerationOptions
{
    /// <summary>Longest draft a single verify step may carry.</summary>
    public const int MaxDraftLength = DraftingPlan.MaxSupportedLength;

    /// <summary>Most tokens to generate. Default 128.</summary>
    public int MaxTokens { get; init; } = 128;

    /// <summary>
    /// How to draft: which drafters, fixed or adaptive length, the maximum length. Default <see cref="DraftingPlan.None"/>
    /// (plain decoding). Named plans: <see cref="DraftingPresets"/>.
    /// </summary>
    public DraftingPlan Drafting { get; init; } = DraftingPlan.None;

    /// <summary>The cost model adaptive drafting weighs drafts against.</summary>
    public AdaptiveDraftingOptions Adaptive { get; init; } = new();

    /// <summary>Settings of the built-in prompt-lookup drafter (<see cref="DraftingPlan.PromptLookup"/>).</summary>
    public PromptLookupOptions PromptLookup { get; init; } = new();

    /// <summary>Static and dynamic n-gram caches of the built-in lookup drafter (<see cref="DraftingPlan.Lookup"/>), whichever plan uses it.</summary>
    public LookupCacheOptions Lookup { get; init; } = new();

    /// <summary>Settings of the built-in suffix drafter (<see cref="DraftingPlan.Suffix"/>).</summary>
    public Drafting.Suffix.SuffixDrafterOptions Suffix { get; init; } = new();

    /// <summary>The draft model of the built-in draft-model drafter (<see cref="DraftingPlan.DraftModel"/>) and its probability floor.</summary>
    public Drafting.DraftModel.DraftModelOptions DraftModel { get; init; } = new();

    /// <summary>Earlier outputs the suffix drafter also drafts from and adds this generation's output to; null for none.</summary>
    public Drafting.Suffix.SuffixMemory? SuffixMemory { get; init; }

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

        ArgumentNullException.ThrowIfNull(Drafting);
        Drafting.Validate();

        ArgumentNullException.ThrowIfNull(Sampling);
        Sampling.Validate();
        ArgumentNullException.ThrowIfNull(PromptLookup);
        PromptLookup.Validate();
        ArgumentNullException.ThrowIfNull(DraftModel);
        DraftModel.Validate();
        ArgumentNullException.ThrowIfNull(Suffix);
        Suffix.Validate();
        ArgumentNullException.ThrowIfNull(Lookup);
        ArgumentNullException.ThrowIfNull(Adaptive);
        ArgumentNullException.ThrowIfNull(StopSequences);
        if (StopSequences.Count > 64 || StopSequences.Any(stop => stop is null || stop.Length > 1024))
        {
            throw new InvalidOptionException(nameof(StopSequences), "at most 64 sequences of at most 1024 characters each");
        }
    }
}
