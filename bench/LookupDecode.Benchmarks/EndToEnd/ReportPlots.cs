using LookupDecode.Calibration;
using ScottPlot;

namespace LookupDecode.Benchmarks.EndToEnd;

/// <summary>PNG plots of an end-to-end run (ScottPlot, headless).</summary>
internal static class ReportPlots
{
    public static void Write(string directory, IReadOnlyList<BenchmarkRecord> records, DecodeCostCurve? curve)
    {
        GroupedBars(Path.Combine(directory, "tokens-per-second.png"), records, record => record.TokensPerSecond, "Decode speed per task and variant", "tokens/s");
        GroupedBars(Path.Combine(directory, "speedup.png"), records, record => record.Speedup, "Speedup over the same engine's plain decoding", "speedup (×)", baseline: 1.0);
        if (curve is not null)
        {
            CostCurve(Path.Combine(directory, "cost-curve.png"), curve);
        }
    }

    private static void GroupedBars(string path, IReadOnlyList<BenchmarkRecord> records, Func<BenchmarkRecord, double> value, string title, string axis, double? baseline = null)
    {
        var plot = new Plot();
        var tasks = records.Select(r => r.Task).Distinct().ToArray();
        var variants = records.Select(r => $"{r.Variant}").Distinct().ToArray();
        var palette = new ScottPlot.Palettes.Category10();
        var width = 0.8 / variants.Length;
        for (var v = 0; v < variants.Length; v++)
        {
            var color = palette.GetColor(v);
            var bars = new List<Bar>();
            for (var t = 0; t < tasks.Length; t++)
            {
                var record = records.FirstOrDefault(r => r.Task == tasks[t] && r.Variant == variants[v]);
                if (record is not null)
                {
                    bars.Add(new Bar { Position = t + ((v - ((variants.Length - 1) / 2.0)) * width), Value = value(record), Size = width * 0.95, FillColor = color });
                }
            }

            plot.Add.Bars(bars);
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = variants[v], FillColor = color });
        }

        if (baseline is { } line)
        {
            plot.Add.HorizontalLine(line, 1, Colors.Black, LinePattern.Dashed);
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, tasks.Length).Select(i => (double)i).ToArray(), tasks);
        // Headroom above the bars, and the legend in it, laid out in a row: it never covers a bar.
        plot.Axes.Margins(bottom: 0, top: 0.25);
        plot.Title(title);
        plot.YLabel(axis);
        plot.Legend.Orientation = Orientation.Horizontal;
        plot.ShowLegend(Alignment.UpperCenter);
        plot.SavePng(path, 1400, 700);
    }

    private static void CostCurve(string path, DecodeCostCurve curve)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var index = 0;
        foreach (var depth in curve.Depths)
        {
            var points = curve.Points.Where(p => p.Depth == depth).OrderBy(p => p.BatchSize).ToArray();
            var scatter = plot.Add.Scatter(points.Select(p => (double)p.BatchSize).ToArray(), points.Select(p => p.RelativeCost).ToArray(), palette.GetColor(index++));
            scatter.LegendText = $"depth {depth}";
        }

        var maximum = curve.Points.Max(p => p.BatchSize);
        var flat = plot.Add.Scatter(new double[] { 1, maximum }, new double[] { 1, 1 }, Colors.Gray);
        flat.LegendText = "flat (GPU-like)";
        flat.LinePattern = LinePattern.Dashed;
        var linear = plot.Add.Scatter(new double[] { 1, maximum }, new double[] { 1, maximum }, Colors.LightGray);
        linear.LegendText = "linear (k single steps)";
        linear.LinePattern = LinePattern.Dotted;
        plot.Title($"Verification cost T(k)/T(1): {curve.ModelName}, {curve.Threads} threads");
        plot.XLabel("tokens per llama_decode (k)");
        plot.YLabel("T(k) / T(1)");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, 1000, 700);
    }
}
