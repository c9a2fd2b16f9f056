using LookupDecode.Calibration;
using LookupDecode.Decoding;
using LookupDecode.Models;

namespace LookupDecode.Replay;

/// <summary>
/// Runs every variant over the same recorded turns, offline (a cost curve prices each step) or forced through a model
/// (each variant in a session of its own, the variants interleaved turn by turn so they share the machine's state).
/// Cancellation stops at the next step and returns the figures of every turn all variants completed.
/// </summary>
public static class ReplayRunner
{
    /// <summary>Offline replay of <paramref name="variants"/>; <paramref name="progress"/> gets (variants done, variants).</summary>
    public static ReplayReport Simulate(
        IReadOnlyList<ReplayTrace> traces,
        IReadOnlyList<ReplayVariant> variants,
        CostModel cost,
        int maxTokens,
        Func<int, bool> isEndOfGeneration,
        IProgress<(int Done, int Total)>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(variants);
        var results = new List<IReadOnlyList<ReplayFigures>>(variants.Count);
        try
        {
            foreach (var variant in variants)
            {
                results.Add(OfflineReplay.Run(traces, variant, cost, maxTokens, isEndOfGeneration, cancellationToken));
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
        var sessions = all.Select(_ => model.CreateSession()).ToArray();
        try
        {
            var results = all.Select(_ => new List<ReplayFigures>(traces.Count)).ToArray();
            var completed = 0;
            var cancelled = false;
            try
            {
                // Warm-up: the first decodes of a process are slower (page faults, thread start); not measured.
                ForcedReplay.Run(sessions[0], traces[0], all[0], Math.Min(maxTokens, 16), cancellationToken);
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
