namespace LookupDecode.Replay;

/// <summary>A variant's figures over a group of turns, with its speedup over plain decoding.</summary>
/// <param name="Figures">Summed figures.</param>
/// <param name="Speedup">Offline: predicted by the cost curve. Forced: plain decoding's measured decode time over this variant's, same turns.</param>
public sealed record ReplayCell(ReplayFigures Figures, double Speedup);

/// <summary>One variant's results: overall, per category and per replayed turn.</summary>
public sealed record ReplayVariantReport(string Name, ReplayCell Overall, IReadOnlyDictionary<string, ReplayCell> Categories, IReadOnlyList<ReplayFigures> PerTrace);

/// <summary>
/// What a replay measured: every variant over the same turns, summed overall and per category. Offline speedups come from
/// the cost curve; forced speedups from decode times measured in the same run as plain decoding's.
/// </summary>
/// <param name="Forced">True for forced replay through the engine, false for offline simulation.</param>
/// <param name="Categories">Categories present, in report order.</param>
/// <param name="Variants">Each variant's results, in the order asked.</param>
/// <param name="Traces">The turns every variant completed.</param>
/// <param name="Cancelled">True when the run was stopped early; the figures cover the turns completed before.</param>
public sealed record ReplayReport(bool Forced, IReadOnlyList<string> Categories, IReadOnlyList<ReplayVariantReport> Variants, IReadOnlyList<ReplayTrace> Traces, bool Cancelled)
{
    /// <summary>Builds the report from per-turn figures (<paramref name="perTrace"/>[variant][turn]).</summary>
    public static ReplayReport Build(bool forced, IReadOnlyList<ReplayTrace> traces, IReadOnlyList<string> names, IReadOnlyList<IReadOnlyList<ReplayFigures>> perTrace, bool cancelled)
    {
        ArgumentNullException.ThrowIfNull(traces);
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(perTrace);
        var categories = TraceCategories.Order(traces.Select(trace => trace.Category));
        var greedyIndex = names.ToList().FindIndex(name => name.Equals("greedy", StringComparison.OrdinalIgnoreCase));
        if (forced && greedyIndex < 0)
        {
            throw new ArgumentException("forced replay measures speedup against plain decoding: include greedy", nameof(names));
        }

        var variants = new List<ReplayVariantReport>(names.Count);
        for (var v = 0; v < names.Count; v++)
        {
            var figures = perTrace[v];
            ReplayCell Cell(Func<ReplayTrace, bool> include)
            {
                var sum = ReplayFigures.Empty;
                var greedy = ReplayFigures.Empty;
                for (var t = 0; t < traces.Count; t++)
                {
                    if (include(traces[t]))
                    {
                        sum += figures[t];
                        if (forced)
                        {
                            greedy += perTrace[greedyIndex][t];
                        }
                    }
                }

                var speedup = !forced ? sum.PredictedSpeedup
                    : sum.DecodeTime > TimeSpan.Zero ? greedy.DecodeTime / sum.DecodeTime : 0;
                return new ReplayCell(sum, speedup);
            }

            var byCategory = categories.ToDictionary(category => category, category => Cell(trace => trace.Category == category), StringComparer.Ordinal);
            variants.Add(new ReplayVariantReport(names[v], Cell(_ => true), byCategory, figures));
        }

        return new ReplayReport(forced, categories, variants, traces, cancelled);
    }
}
