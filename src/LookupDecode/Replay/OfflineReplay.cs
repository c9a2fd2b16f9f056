using LookupDecode.Calibration;
using LookupDecode.Decoding;
using LookupDecode.Drafting;

namespace LookupDecode.Replay;

/// <summary>
/// Replays drafting over recorded answers with no model at all: the same planners and drafters generation uses propose
/// at every step, the recording decides what is accepted, and a cost curve prices each verification. It mirrors the
/// decoding loop step for step (the first token comes from the prefill; a draft never runs past the token limit; the
/// model's own token follows the accepted drafts; drafters observe every emitted token), so for fixed-length drafters
/// the drafted and accepted counts equal forced replay's exactly. Hundreds of questions take seconds.
/// </summary>
public static class OfflineReplay
{
    [ThreadStatic]
    private static Drafting.Trees.DraftTree? _tree;

    private static Drafting.Trees.DraftTree Tree => _tree ??= new Drafting.Trees.DraftTree(GenerationOptions.MaxDraftLength);

    /// <summary>
    /// Replays <paramref name="variant"/> over <paramref name="traces"/> (at most <paramref name="maxTokens"/> answer tokens
    /// each); returns figures per trace, in order. Adaptive drafting learns across traces, as in one session.
    /// Without a model, drafters are not told each token's place in a word, so the suffix drafter's evidence differs
    /// from generation's (<see cref="ReplayRunner"/>'s overload that takes the model replays exactly what generation builds).
    /// </summary>
    public static IReadOnlyList<ReplayFigures> Run(
        IReadOnlyList<ReplayTrace> traces,
        ReplayVariant variant,
        CostModel cost,
        int maxTokens,
        Func<int, bool> isEndOfGeneration,
        CancellationToken cancellationToken = default)
        => Run(traces, variant, cost, maxTokens, isEndOfGeneration, int.MaxValue, int.MaxValue, cancellationToken);

    /// <summary>
    /// As above, for a vocabulary of <paramref name="vocabularySize"/> tokens (drafters check their caches against it) and
    /// a batch of at most <paramref name="batchCapacity"/> tokens per decode (a draft then holds at most one fewer, as in
    /// the loop).
    /// </summary>
    public static IReadOnlyList<ReplayFigures> Run(
        IReadOnlyList<ReplayTrace> traces,
        ReplayVariant variant,
        CostModel cost,
        int maxTokens,
        Func<int, bool> isEndOfGeneration,
        int vocabularySize,
        int batchCapacity,
        CancellationToken cancellationToken = default)
        => Run(traces, variant, cost, maxTokens, new DraftVocabulary(isEndOfGeneration, vocabularySize), batchCapacity, cancellationToken);

    /// <summary>As above, with everything drafters are told about the vocabulary (a model's, in replay).</summary>
    internal static IReadOnlyList<ReplayFigures> Run(
        IReadOnlyList<ReplayTrace> traces,
        ReplayVariant variant,
        CostModel cost,
        int maxTokens,
        DraftVocabulary vocabulary,
        int batchCapacity,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchCapacity, 1);
        ArgumentNullException.ThrowIfNull(traces);
        ArgumentNullException.ThrowIfNull(variant);
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(vocabulary);
        var options = variant.Options with { MaxTokens = maxTokens };
        options.Validate();
        var factory = new DraftPlannerFactory();
        var figures = new ReplayFigures[traces.Count];
        var history = new List<int>();
        var draft = new int[GenerationOptions.MaxDraftLength];
        for (var t = 0; t < traces.Count; t++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var trace = traces[t];
            var planner = variant.IsOracle
                ? CreateOracle(options, trace, cost, vocabulary)
                : factory.Create(options, vocabulary, () => cost);
            try
            {
                figures[t] = ReplayOne(trace, options, planner, cost, vocabulary.IsEndOfGeneration, history, draft, batchCapacity);
            }
            finally
            {
                planner?.Dispose();
            }
        }

        return figures;
    }

    /// <summary>The oracle's planner for one trace: every drafter of <paramref name="options"/>, lengths chosen knowing the answer.</summary>
    internal static OracleDraftPlanner CreateOracle(GenerationOptions options, ReplayTrace trace, CostModel cost, DraftVocabulary vocabulary)
        => new(DraftPlannerFactory.CreateSources(options, vocabulary), trace.Answer, trace.Prompt.Length, cost, options.Drafting.MaxLength);

    private static ReplayFigures ReplayOne(
        ReplayTrace trace,
        GenerationOptions options,
        IDraftPlanner? planner,
        CostModel cost,
        Func<int, bool> isEndOfGeneration,
        List<int> history,
        int[] draft,
        int batchCapacity)
    {
        var answer = trace.Answer;
        var limit = Math.Min(options.MaxTokens, answer.Length);
        if (limit == 0)
        {
            return ReplayFigures.Empty;
        }

        history.Clear();
        history.AddRange(trace.Prompt);
        planner?.Begin(trace.Prompt);

        // The prefill's token.
        var generated = 0;
        Emit(answer[generated++]);
        var nPast = trace.Prompt.Length;
        long steps = 1;
        var histogram = new long[options.Drafting.MaxLength + 2];
        histogram[1]++;
        long drafted = 0;
        long accepted = 0;
        double predicted = 0;
        var ended = isEndOfGeneration(answer[0]);
        var treePlanner = options.Drafting.Tree ? planner as Drafting.Trees.ITreePlanner : null;
        while (!ended && generated < limit)
        {
            if (treePlanner is not null)
            {
                // A token tree: nodes limited by the budget and the batch, depth by the tokens still to emit.
                var budget = Math.Min(options.Drafting.MaxLength, batchCapacity - 1);
                var maxDepth = limit - generated - 1;
                var nodes = budget <= 0 || maxDepth <= 0 ? 0 : treePlanner.PlanTree(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(history), Tree, budget, DraftingPlan.MaxTreeBranches, maxDepth, nPast);
                predicted += cost.RelativeCost(nodes + 1, nPast);
                steps++;
                drafted += nodes;
                var before = history.Count;
                var node = -1;
                var acceptedInTree = 0;
                while (true)
                {
                    var token = answer[generated++];
                    var child = nodes > 0 ? Tree.ChildWithToken(node, token) : -1;
                    Emit(token);
                    ended = isEndOfGeneration(token);
                    if (child < 0)
                    {
                        break;
                    }

                    node = child;
                    acceptedInTree++;
                    if (ended || generated >= limit)
                    {
                        break;
                    }
                }

                accepted += acceptedInTree;
                histogram[Math.Min(history.Count - before, histogram.Length - 1)]++;
                var kept = nodes == 0 ? 0 : Tree.KeptBranch(node, draft);
                treePlanner.Verified(draft.AsSpan(0, kept), System.Runtime.InteropServices.CollectionsMarshal.AsSpan(history)[before..], nodes + 1, nPast, double.NaN);
                nPast += 1 + acceptedInTree;
                continue;
            }

            var room = Math.Min(Math.Min(options.Drafting.MaxLength, batchCapacity - 1), limit - generated - 1);
            var count = planner is null || room <= 0
                ? 0
                : Math.Clamp(planner.Plan(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(history), draft.AsSpan(0, room), nPast), 0, room);
            predicted += cost.RelativeCost(count + 1, nPast);
            steps++;
            drafted += count;
            var emittedBefore = history.Count;
            var acceptedHere = 0;
            while (true)
            {
                var token = answer[generated++];
                var matches = acceptedHere < count && token == draft[acceptedHere];
                Emit(token);
                ended = isEndOfGeneration(token);
                if (!matches)
                {
                    break;
                }

                acceptedHere++;
                if (ended || generated >= limit)
                {
                    break;
                }
            }

            accepted += acceptedHere;
            histogram[history.Count - emittedBefore]++;
            planner?.Verified(draft.AsSpan(0, count), System.Runtime.InteropServices.CollectionsMarshal.AsSpan(history)[emittedBefore..], count + 1, nPast, double.NaN);
            nPast += 1 + acceptedHere;
        }

        planner?.End(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(history));
        return new ReplayFigures
        {
            Turns = 1,
            Tokens = generated,
            Steps = steps,
            Drafted = drafted,
            Accepted = accepted,
            PredictedCost = predicted,
            PlainCost = generated - 1,
            StepHistogram = histogram,
        };

        void Emit(int token)
        {
            history.Add(token);
            planner?.Observe(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(history));
        }
    }
}
