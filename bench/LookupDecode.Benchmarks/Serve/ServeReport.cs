using System.Globalization;
using System.Text;
using ScottPlot;

namespace LookupDecode.Benchmarks.Serve;

/// <summary>The serving benchmark's report: a markdown table and a plot of throughput against concurrency.</summary>
internal static class ServeReport
{
    public static string Line(ServeRow row) => string.Create(CultureInfo.InvariantCulture,
        $"{row.System,-27} x{row.Clients,-3} {row.TokensPerSecond,7:F1} tok/s  ttft p50 {row.FirstTokenP50Ms,7:F0} p99 {row.FirstTokenP99Ms,7:F0} ms  itl p50 {row.InterTokenP50Ms,6:F1} p99 {row.InterTokenP99Ms,7:F1} ms  failed {row.Failed}  differing {row.Differing}  {row.Engine}");

    public static void Write(string directory, IReadOnlyList<ServeRow> rows, ServeSettings settings, int maxTokens)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# Serving: {Path.GetFileName(settings.Model)}, {settings.Threads} threads, {maxTokens}-token greedy completions, {settings.ContextSize} tokens per slot");
        text.AppendLine();
        text.AppendLine("Aggregate completion tokens/s over loopback HTTP (streamed), time to first token and inter-token latency; "
                        + "'differing' counts replies not equal to the same engine's reply at concurrency 1 (-1: no reference).");
        text.AppendLine();
        text.AppendLine("| system | clients | tok/s | vs 1 client | TTFT p50 ms | TTFT p99 ms | ITL p50 ms | ITL p99 ms | failed | differing | engine |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var row in rows)
        {
            var single = rows.FirstOrDefault(other => other.System == row.System && other.Clients == 1)?.TokensPerSecond;
            var scale = single is > 0 ? (row.TokensPerSecond / single.Value).ToString("F2", CultureInfo.InvariantCulture) + "×" : "";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.System} | {row.Clients} | {row.TokensPerSecond:F1} | {scale} | {row.FirstTokenP50Ms:F0} | {row.FirstTokenP99Ms:F0} | {row.InterTokenP50Ms:F1} | {row.InterTokenP99Ms:F1} | {row.Failed} | {row.Differing} | {row.Engine} |");
        }

        text.AppendLine();
        text.AppendLine("![throughput against concurrency](throughput.png)");
        File.WriteAllText(Path.Combine(directory, "serve.md"), text.ToString());
        Plot(Path.Combine(directory, "throughput.png"), rows);
    }

    private static void Plot(string path, IReadOnlyList<ServeRow> rows)
    {
        var plot = new Plot();
        foreach (var group in rows.GroupBy(row => row.System))
        {
            var ordered = group.OrderBy(row => row.Clients).ToArray();
            var line = plot.Add.Scatter(ordered.Select(row => (double)row.Clients).ToArray(), ordered.Select(row => row.TokensPerSecond).ToArray());
            line.LegendText = group.Key;
        }

        plot.Title("Aggregate throughput against concurrent clients");
        plot.XLabel("concurrent clients");
        plot.YLabel("completion tokens/s");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, 1200, 700);
    }
}
