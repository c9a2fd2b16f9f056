using LookupDecode.Calibration;
using LookupDecode.Decoding;

namespace LookupDecode.Drafting;

/// <summary>
/// Builds the planner a generation drafts with from its <see cref="DraftingPlan"/>: the plan's drafters, fixed or adaptive.
/// One per session (and one per replayed variant): adaptive drafting's acceptance models live here, so what one
/// generation learns about a drafter's evidence classes carries over to the next. The decoding loop and offline replay
/// both get their planners here, so a replay judges exactly the objects generation uses. Not thread-safe.
/// </summary>
internal sealed class DraftPlannerFactory
{
    private readonly Dictionary<string, AcceptanceModel> _acceptance = new(StringComparer.Ordinal);

    /// <summary>
    /// The planner for <paramref name="options"/>' plan, or null for plain decoding. <paramref name="costModel"/> is asked
    /// only when drafting is adaptive. The planner owns the drafters it was built with.
    /// </summary>
    public IDraftPlanner? Create(GenerationOptions options, DraftVocabulary vocabulary, Func<CostModel> costModel)
    {
        var plan = options.Drafting;
        if (plan.IsGreedy)
        {
            return null;
        }

        var sources = CreateSources(options, vocabulary);
        try
        {
            if (!plan.Adaptive)
            {
                return plan.Tree ? new Trees.FixedTreeDraftPlanner(sources) : new FixedDraftPlanner(sources);
            }

            var scored = sources.Select(source => source as IScoredDraftSource ?? new ScoredDraftSource(source)).ToArray();
            return new AdaptiveDraftPlanner(scored, AcceptanceModels(scored), costModel(), plan.MaxLength, TreeAcceptanceModels(scored));
        }
        catch
        {
            sources.ForEach(source => source.Dispose());
            throw;
        }
    }

    /// <summary>Builds the plan's drafters for one generation (the caller owns them).</summary>
    public static List<IDraftSource> CreateSources(GenerationOptions options, DraftVocabulary vocabulary)
    {
        var context = new DraftingContext(options, vocabulary.IsEndOfGeneration, vocabulary.Size) { Kinds = vocabulary.Kinds };
        var factories = options.Drafting.DraftersWith(options.DraftModel.Model is not null);
        var sources = new List<IDraftSource>(factories.Count);
        try
        {
            foreach (var factory in factories)
            {
                sources.Add(factory(context) ?? throw new InvalidOperationException("a drafter factory returned null"));
            }
        }
        catch
        {
            sources.ForEach(source => source.Dispose());
            throw;
        }

        return sources;
    }

    /// <summary>The acceptance model of each tree drafter's nodes (null for drafters without trees), kept across generations.</summary>
    public AcceptanceModel?[] TreeAcceptanceModels(IReadOnlyList<IScoredDraftSource> sources)
    {
        var models = new AcceptanceModel?[sources.Count];
        for (var i = 0; i < sources.Count; i++)
        {
            if (ScoredDraftSource.Unwrap(sources[i]) is not Trees.ITreeDraftSource tree)
            {
                continue;
            }

            var key = $"{sources[i].Name}/tree/{tree.TreeEvidenceClassCount}";
            if (!_acceptance.TryGetValue(key, out var model))
            {
                _acceptance[key] = model = new AcceptanceModel(tree.TreeEvidenceClassCount, tree.TreePriorAcceptance);
            }

            models[i] = model;
        }

        return models;
    }

    /// <summary>The acceptance model of each drafter, kept by drafter name across generations.</summary>
    public AcceptanceModel[] AcceptanceModels(IReadOnlyList<IScoredDraftSource> sources)
    {
        var models = new AcceptanceModel[sources.Count];
        for (var i = 0; i < sources.Count; i++)
        {
            var key = $"{sources[i].Name}/{sources[i].EvidenceClassCount}";
            if (!_acceptance.TryGetValue(key, out var model))
            {
                _acceptance[key] = model = new AcceptanceModel(sources[i]);
            }

            models[i] = model;
        }

        return models;
    }
}
