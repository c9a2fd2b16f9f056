using LookupDecode.Models;

namespace LookupDecode.Drafting;

/// <summary>
/// How a generation drafts: which drafters, and how many of their tokens a step verifies — a fixed number (as many as
/// the first drafter with a proposal offers, up to <see cref="MaxLength"/>: llama-lookup's behaviour) or adaptively (every
/// drafter proposes, and the number worth verifying, including none, is chosen per step from learned acceptance and the
/// measured verification cost). Named plans live in <see cref="DraftingPresets"/>; a plan with no drafter is plain decoding.
/// </summary>
public sealed record DraftingPlan
{
    /// <summary>Longest draft a single verify step may carry.</summary>
    public const int MaxSupportedLength = 256;

    /// <summary>Plain decoding: no drafters.</summary>
    public static DraftingPlan None { get; } = new() { Name = "greedy" };

    /// <summary>Name for statistics and reports (a preset's name, or "custom").</summary>
    public string Name { get; init; } = "custom";

    /// <summary>The drafters, in order of preference (a fixed-length step takes the first that proposes anything).</summary>
    public IReadOnlyList<DrafterFactory> Drafters { get; init; } = [];

    /// <summary>Adaptive length (true) or fixed (false).</summary>
    public bool Adaptive { get; init; }

    /// <summary>Most draft tokens one step verifies (1…256): the fixed length, or the adaptive maximum.</summary>
    public int MaxLength { get; init; } = 10;

    /// <summary>
    /// Verify a token tree (true): a tree drafter's several continuations, up to <see cref="MaxLength"/> nodes and
    /// <see cref="MaxTreeBranches"/> branches, in one batch, keeping the longest branch the model confirms. Drafters
    /// without trees propose a chain. Adaptive plans verify chains.
    /// </summary>
    public bool Tree { get; init; }

    /// <summary>
    /// Add the draft model to the drafters whenever one is given (<see cref="Decoding.GenerationOptions.DraftModel"/>):
    /// the plans that use every drafter there is (<c>auto</c>).
    /// </summary>
    public bool IncludesGivenDraftModel { get; init; }

    /// <summary>The drafters this plan runs with <paramref name="draftModelGiven"/>: <see cref="Drafters"/>, plus the draft model where it joins.</summary>
    public IReadOnlyList<DrafterFactory> DraftersWith(bool draftModelGiven)
        => IncludesGivenDraftModel && draftModelGiven && !Drafters.Contains(DraftModel) ? [.. Drafters, DraftModel] : Drafters;

    /// <summary>True when a generation of this plan drafts with the draft model (listed, or joining since one is given).</summary>
    public bool UsesDraftModel(bool draftModelGiven) => DraftersWith(draftModelGiven).Contains(DraftModel);

    /// <summary>Most branches (leaves) a verified tree may have: each is a llama.cpp sequence of the context.</summary>
    public const int MaxTreeBranches = 16;

    /// <summary>True when the plan drafts nothing.</summary>
    public bool IsGreedy => Drafters.Count == 0;

    /// <summary>Built-in drafter: Hugging Face prompt lookup with <see cref="Decoding.GenerationOptions.PromptLookup"/>'s settings.</summary>
    public static DrafterFactory PromptLookup { get; } = context => new PromptLookupDrafter(context.Options.PromptLookup, context.IsEndOfGeneration);

    /// <summary>Built-in drafter: llama.cpp's lookup n-gram caches, with <see cref="Decoding.GenerationOptions.Lookup"/>'s static and dynamic caches.</summary>
    public static DrafterFactory Lookup { get; } = context =>
    {
        var caches = context.Options.Lookup;
        CheckFitsVocabulary(caches.StaticCache, "static cache", context.VocabularySize);
        CheckFitsVocabulary(caches.DynamicCache, "dynamic cache", context.VocabularySize);
        return new NgramCacheDrafter(caches.StaticCache, caches.DynamicCache);
    };

    /// <summary>Built-in drafter: suffix drafting over the prompt, the output so far and <see cref="Decoding.GenerationOptions.SuffixMemory"/>.</summary>
    public static DrafterFactory Suffix { get; } = context => new Suffix.SuffixDrafter(context.Options.Suffix, context.IsEndOfGeneration, context.Options.SuffixMemory, context.Kinds?.Invoke());

    /// <summary>Built-in drafter: a small draft model with the target's vocabulary (<see cref="Decoding.GenerationOptions.DraftModel"/>).</summary>
    public static DrafterFactory DraftModel { get; } = context => new DraftModel.DraftModelDrafter(context.Options.DraftModel, context.IsEndOfGeneration, context.Options.Drafting.Adaptive, context.VocabularySize);

    /// <summary>A plan verifying up to <paramref name="length"/> tokens of <paramref name="drafters"/>' proposals every step.</summary>
    public static DraftingPlan Fixed(int length, params DrafterFactory[] drafters) => new() { Drafters = drafters, MaxLength = length };

    /// <summary>A plan choosing per step among <paramref name="drafters"/>' proposals and how many tokens to verify, up to <paramref name="maxLength"/>.</summary>
    public static DraftingPlan AdaptiveOver(int maxLength, params DrafterFactory[] drafters) => new() { Drafters = drafters, MaxLength = maxLength, Adaptive = true };

    /// <summary>A plan verifying a token tree of up to <paramref name="nodes"/> draft tokens from <paramref name="drafters"/> every step.</summary>
    public static DraftingPlan TreeOver(int nodes, params DrafterFactory[] drafters) => new() { Drafters = drafters, MaxLength = nodes, Tree = true };

    /// <summary>The same drafters with a fixed length of <paramref name="length"/>.</summary>
    public DraftingPlan WithFixedLength(int length) => this with { Adaptive = false, MaxLength = length };

    /// <summary>The same drafters, adaptive, verifying at most <paramref name="maxLength"/> per step.</summary>
    public DraftingPlan WithAdaptiveLength(int maxLength) => this with { Adaptive = true, MaxLength = maxLength };

    /// <summary>Throws <see cref="InvalidOptionException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (MaxLength is < 1 or > MaxSupportedLength)
        {
            throw new InvalidOptionException("DraftLength", $"must be between 1 and {MaxSupportedLength}, was {MaxLength}");
        }

        ArgumentNullException.ThrowIfNull(Drafters);
        if (Drafters.Any(drafter => drafter is null))
        {
            throw new InvalidOptionException(nameof(Drafters), "holds a null drafter factory");
        }
    }

    /// <inheritdoc />
    public override string ToString() => IsGreedy ? Name : $"{Name} ({(Adaptive ? "adaptive, up to " : Tree ? "tree of up to " : "fixed ")}{MaxLength})";

    private static void CheckFitsVocabulary(Ngrams.NgramCache? cache, string what, int vocabularySize)
    {
        if (cache is not null && cache.MaxTokenId >= vocabularySize)
        {
            throw new InvalidOptionException(what,
                $"holds token id {cache.MaxTokenId} but the model has {vocabularySize} tokens: it was made with another tokenizer");
        }
    }
}
