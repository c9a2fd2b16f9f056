using LookupDecode.Calibration;
using LookupDecode.Decoding;
using LookupDecode.Drafting;
using LookupDecode.Models;

namespace LookupDecode.Replay;

/// <summary>
/// Runs every variant over the same recorded turns, offline (a cost curve prices each step) or forced through a model
/// (each variant in a session of its own, the variants interleaved turn by turn so they share the machine's state).
/// Cancellation returns what was completed: forced replay stops within a step and keeps the turns every variant finished;
/// offline replay checks between turns and keeps the variants that finished.
/// </summary>
public static class ReplayRunner
{
    /// <summary>
    /// Offline replay of <paramref name="variants"/>; <paramref name="progress"/> gets (variants done, variants). Without a
    /// model, drafters are not told each token's place in a word (the suffix drafter's evidence then differs from
    /// generation's); the overload that takes the model replays exactly what generation builds.
    /// </summary>
    public static ReplayReport Simulate(
        IReadOnlyList<ReplayTrace> traces,
        IReadOnlyList<ReplayVariant> variants,
        CostModel cost,
        int maxTokens,
        Func<int, bool> isEndOfGeneration,
        IProgress<(int Done, int Total)>? progress = null,
        CancellationToken cancellationToken = default)
        => Simulate(traces, variants, cost, maxTokens, new DraftVocabulary(isEndOfGeneration, int.MaxValue), int.MaxValue, progress, cancellationToken);

    /// <summary>
    /// Offline replay as <paramref name="model"/> would run it: its vocabulary size and its batch capacity (which caps a
    /// draft at one token fewer, as in the loop).
    /// </summary>
    public static ReplayReport Simulate(
        IReadOnlyList<ReplayTrace> traces,
        IReadOnlyList<ReplayVariant> variants,
        CostModel cost,
        int maxTokens,
        LlamaModel model,
        IProgress<(int Done, int Total)>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Simulate(traces, variants, cost, maxTokens, model.DraftVocabulary, model.Options.EffectiveBatchSize,
            progress, cancellationToken);
    }

    private static ReplayReport Simulate(
        IReadOnlyList<ReplayTrace> traces,
        IReadOnlyList<ReplayVariant> variants,
        CostModel cost,
        int maxTokens,
        DraftVocabulary vocabulary,
        int batchCapacity,
        IProgress<(int Done, int Total)>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(variants);
        var results = new List<IReadOnlyList<ReplayFigures>>(variants.Count);
        try
        {
            foreach (var variant in variants)
            {
                results.Add(OfflineReplay.Run(traces, variant, cost, maxTokens, vocabulary, batchCapacity, cancellationToken));
                progress?.Report((results.Count, variants.Count));
            }
        }
        catch (OperationCanceledException)
        {
            // Offline variants run whole; report the ones finished.
            return ReplayReport.Build(false, traces, [.. variants.Take(results.Count).Select(variant => variant.Name)], results, cancelled: true);
        }

        return ReplayReport.Build(false, traces, [.. variants.Select(variant => variant.Name)], results, cancelled: false);
    }

    /// <summary>
    /// Forced replay of <paramref name="variants"/> (plain decoding is added when missing, as the baseline) through
    /// <paramref name="model"/>; <paramref name="progress"/> gets (turns done, turns).
    /// </summary>
    public static ReplayReport Force(
        LlamaModel model,
        IReadOnlyList<ReplayTrace> traces,
        IReadOnlyList<ReplayVariant> variants,
        int maxTokens,
        IProgress<(int Done, int Total)>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(traces);
        ArgumentNullException.ThrowIfNull(variants);
        if (traces.Count == 0)
        {
            throw new ArgumentException("no turns to replay", nameof(traces));
        }

        var all = variants.Any(variant => variant.IsGreedy) ? variants.ToList() : [ReplayVariant.Parse("greedy"), .. variants];
        var sessions = new List<GenerationSession>(all.Count);
        try
        {
            foreach (var _ in all)
            {
                sessions.Add(model.CreateSession());
            }

            var results = all.Select(_ => new List<ReplayFigures>(traces.Count)).ToArray();
            var completed = 0;
            var cancelled = false;
            try
            {
                // Warm-up: the first decodes of a process are slower (page faults, thread start); not measured. Plain decoding
                // warms up, so no drafting variant learns anything before it is timed.
                var greedy = all.FindIndex(variant => variant.IsGreedy);
                ForcedReplay.Run(sessions[greedy], traces[0], all[greedy], Math.Min(maxTokens, 16), cancellationToken);
                for (var t = 0; t < traces.Count; t++)
                {
                    var turn = new ReplayFigures[all.Count];
                    for (var i = 0; i < all.Count; i++)
                    {
                        // Rotate the order so no variant always runs right after another.
                        var v = (i + t) % all.Count;
                        turn[v] = ForcedReplay.Run(sessions[v], traces[t], all[v], maxTokens, cancellationToken);
                    }

                    for (var v = 0; v < all.Count; v++)
                    {
                        results[v].Add(turn[v]);
                    }

                    completed++;
                    progress?.Report((completed, traces.Count));
                }
            }
            catch (OperationCanceledException)
            {
                cancelled = true;
            }

            return ReplayReport.Build(true, traces.Take(completed).ToArray(), [.. all.Select(variant => variant.Name)], results, cancelled);
        }
        finally
        {
            foreach (var session in sessions)
            {
                session.Dispose();
            }
        }
    }
}
