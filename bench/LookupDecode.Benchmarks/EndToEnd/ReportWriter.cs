using System.Globalization;
using System.Text;
using LookupDecode.Calibration;
using LookupDecode.Models;

namespace LookupDecode.Benchmarks.EndToEnd;

/// <summary>Writes results.csv (one line per measured configuration) and report.md (tables, geometric means, cost curve).</summary>
internal static class ReportWriter
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void Write(EndToEndSettings settings, ModelInfo model, IReadOnlyList<BenchmarkRecord> records, DecodeCostCurve? curve)
    {
        var csv = new StringBuilder("task,engine,variant,draft,tokens_per_second,speedup,n_drafted,n_accept,accept_percent,n_predict,peak_memory_mb,identical,managed_overhead_share\n");
        foreach (var r in records)
        {
            csv.AppendLine(string.Join(',', r.Task, r.Engine, r.Variant, r.Draft, F(r.TokensPerSecond, 2), F(r.Speedup, 4), r.Drafted, r.Accepted,
                F(r.AcceptPercent, 2), r.Generated, F(r.PeakMemoryMegabytes, 1), r.Identical switch { true => "yes", false => "no", null => "" }, F(r.ManagedOverheadShare, 5)));
        }

        File.WriteAllText(Path.Combine(settings.OutputDirectory, "results.csv"), csv.ToString());

        var md = new StringBuilder();
        md.AppendLine($"# End-to-end benchmark: {model.Name}");
        md.AppendLine();
        md.AppendLine($"{model.Description}; {settings.Threads} threads; {settings.MaxTokens} tokens per run; median of {settings.Repeats} runs after a warm-up; "
                      + $"variants interleaved. Speedup is over the same engine's plain decoding on the same task, measured in the same run.");
        md.AppendLine();
        md.AppendLine("| task | engine | variant | tokens/s | speedup | n_drafted | n_accept | accept % | peak MB | identical | managed/step |");
        md.AppendLine("|---|---|---|---:|---:|---:|---:|---:|---:|---|---:|");
        foreach (var r in records)
        {
            md.AppendLine($"| {r.Task} | {r.Engine} | {r.Variant} | {F(r.TokensPerSecond, 1)} | {F(r.Speedup, 2)}× | {r.Drafted} | {r.Accepted} | {F(r.AcceptPercent, 1)} | "
                          + $"{(r.PeakMemoryMegabytes > 0 ? F(r.PeakMemoryMegabytes, 1) : "")} | {r.Identical switch { true => "yes", false => "**no**", null => "" }} | "
                          + $"{(r.Engine == BenchmarkRecord.Ours ? F(100 * r.ManagedOverheadShare, 2) + "%" : "")} |");
        }

        md.AppendLine();
        md.AppendLine("## Geometric mean of speedup over the tasks");
        md.AppendLine();
        md.AppendLine("| engine | variant | geomean speedup | min | max |");
        md.AppendLine("|---|---|---:|---:|---:|");
        foreach (var group in records.GroupBy(r => (r.Engine, r.Variant)))
        {
            var speedups = group.Select(r => r.Speedup).ToArray();
            md.AppendLine($"| {group.Key.Engine} | {group.Key.Variant} | {F(GeometricMean(speedups), 3)}× | {F(speedups.Min(), 2)} | {F(speedups.Max(), 2)} |");
        }

        if (curve is not null)
        {
            md.AppendLine();
            md.AppendLine("## Verification cost T(k)/T(1)");
            md.AppendLine();
            md.AppendLine("Median wall time of one `llama_decode` of k tokens (logits on all) divided by one of a single token, same depth.");
            md.AppendLine();
            md.AppendLine("| k | " + string.Join(" | ", curve.Depths.Select(d => $"depth {d}")) + " |");
            md.AppendLine("|---:|" + string.Concat(curve.Depths.Select(_ => "---:|")));
            foreach (var size in curve.Points.Select(p => p.BatchSize).Distinct().Order())
            {
                md.AppendLine($"| {size} | " + string.Join(" | ", curve.Depths.Select(d =>
                {
                    var point = curve.Points.Single(p => p.BatchSize == size && p.Depth == d);
                    return $"{F(point.RelativeCost, 2)} ({F(point.Milliseconds, 1)} ms)";
                })) + " |");
            }
        }

        md.AppendLine();
        md.AppendLine("Plots: `tokens-per-second.png`, `speedup.png`" + (curve is null ? "" : ", `cost-curve.png`") + ".");
        File.WriteAllText(Path.Combine(settings.OutputDirectory, "report.md"), md.ToString());
    }

    public static double GeometricMean(IReadOnlyCollection<double> values)
        => values.Count == 0 ? 0 : Math.Exp(values.Average(value => Math.Log(Math.Max(value, 1e-9))));

    private static string F(double value, int decimals) => value.ToString("F" + decimals, Invariant);
}
