using LookupDecode.Calibration;
using LookupDecode.Decoding;

namespace LookupDecode.Drafting;

/// <summary>
/// Builds the planner a generation drafts with from its options: the drafters its mode names, fixed or adaptive. One per
/// session (and one per replayed variant): adaptive drafting's acceptance models live here, so what one generation learns
/// about a drafter's evidence classes carries over to the next. The decoding loop and offline replay both get their
/// planners here, so a replay judges exactly the objects generation uses. Not thread-safe.
/// </summary>
internal sealed class DraftPlannerFactory
{
    private readonly Dictionary<string, AcceptanceModel> _acceptance = new(StringComparer.Ordinal);

    /// <summary>
    /// The planner for <paramref name="options"/>, or null for plain decoding. <paramref name="costModel"/> is asked only when
    /// drafting is adaptive.
    /// </summary>
    public IDraftPlanner? Create(GenerationOptions options, Func<int, bool> isEndOfGeneration, Func<CostModel> costModel)
    {
        var sources = CreateSources(options, isEndOfGeneration);
        if (sources.Count == 0)
        {
            return null;
        }

        if (!options.IsAdaptive)
        {
            return new FixedDraftPlanner(sources[0]);
        }

        return new AdaptiveDraftPlanner(sources, AcceptanceModels(sources), costModel(), options.DraftLength);
    }

    /// <summary>The drafters <paramref name="options"/>' mode names, each over the caches and settings the options carry.</summary>
    public static List<IScoredDraftSource> CreateSources(GenerationOptions options, Func<int, bool> isEndOfGeneration)
    {
        var sources = new List<IScoredDraftSource>(2);
        if (options.Mode is DecodingMode.Lookup or DecodingMode.Auto)
        {
            var caches = options.Lookup;
            sources.Add(new NgramCacheDrafter(caches.StaticCache, caches.DynamicCache, caches.DynamicCacheSavePath));
        }

        if (options.Mode is DecodingMode.PromptLookup or DecodingMode.Auto)
        {
            sources.Add(new PromptLookupDrafter(options.PromptLookup, isEndOfGeneration));
        }

        return sources;
    }

    /// <summary>The acceptance model of each drafter, kept by drafter name across generations.</summary>
    public AcceptanceModel[] AcceptanceModels(IReadOnlyList<IScoredDraftSource> sources)
    {
        var models = new AcceptanceModel[sources.Count];
        for (var i = 0; i < sources.Count; i++)
        {
            if (!_acceptance.TryGetValue(sources[i].Name, out var model))
            {
                _acceptance[sources[i].Name] = model = new AcceptanceModel(sources[i]);
            }

            models[i] = model;
        }

        return models;
    }
}
