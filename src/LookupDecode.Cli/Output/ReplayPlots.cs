using LookupDecode.Replay;
using ScottPlot;

namespace LookupDecode.Cli.Output;

/// <summary>PNG plots of a replay (ScottPlot, headless): speedup per task and variant; tokens per step.</summary>
internal static class ReplayPlots
{
    public static void Write(string directory, ReplayReport report)
    {
        Speedups(Path.Combine(directory, "speedup.png"), report);
        if (report.Variants.Any(variant => variant.Overall.Figures.StepHistogram.Count > 0))
        {
            TokensPerStep(Path.Combine(directory, "tokens-per-step.png"), report);
        }
    }

    private static void Speedups(string path, ReplayReport report)
    {
        var plot = new Plot();
        var groups = report.Categories.Append("overall").ToArray();
        var palette = new ScottPlot.Palettes.Category10();
        var width = 0.8 / report.Variants.Count;
        for (var v = 0; v < report.Variants.Count; v++)
        {
            var variant = report.Variants[v];
            var color = palette.GetColor(v);
            var bars = new List<Bar>();
            for (var g = 0; g < groups.Length; g++)
            {
                var cell = g < report.Categories.Count ? variant.Categories[groups[g]] : variant.Overall;
                bars.Add(new Bar { Position = g + ((v - ((report.Variants.Count - 1) / 2.0)) * width), Value = cell.Speedup, Size = width * 0.95, FillColor = color });
            }

            plot.Add.Bars(bars);
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = variant.Name, FillColor = color });
        }

        plot.Add.HorizontalLine(1, 1, Colors.Black, LinePattern.Dashed);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(Enumerable.Range(0, groups.Length).Select(i => (double)i).ToArray(), groups);
        plot.Axes.Margins(bottom: 0, top: 0.25);
        plot.Title(report.Forced ? "Measured speedup over plain decoding (forced replay)" : "Predicted speedup over plain decoding (offline replay)");
        plot.YLabel("speedup (×)");
        // Above the bars: the top margin leaves the legend room of its own.
        plot.Legend.Orientation = Orientation.Horizontal;
        plot.ShowLegend(Alignment.UpperCenter);
        plot.SavePng(path, 1400, 700);
    }

    private static void TokensPerStep(string path, ReplayReport report)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var variants = report.Variants.Where(variant => variant.Overall.Figures.StepHistogram.Count > 0).ToArray();
        var longest = variants.Max(variant => variant.Overall.Figures.StepHistogram.Count);
        var width = 0.8 / variants.Length;
        for (var v = 0; v < variants.Length; v++)
        {
            var histogram = variants[v].Overall.Figures.StepHistogram;
            var steps = (double)Math.Max(1, histogram.Sum());
            var color = palette.GetColor(v);
            var bars = new List<Bar>();
            for (var tokens = 1; tokens < histogram.Count; tokens++)
            {
                bars.Add(new Bar { Position = tokens + ((v - ((variants.Length - 1) / 2.0)) * width), Value = 100 * histogram[tokens] / steps, Size = width * 0.95, FillColor = color });
            }

            plot.Add.Bars(bars);
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = variants[v].Name, FillColor = color });
        }

        plot.Axes.SetLimitsX(0.3, longest - 0.3);
        plot.Axes.Margins(bottom: 0);
        plot.Title("Tokens emitted per step (offline replay)");
        plot.XLabel("tokens per step (accepted drafts + the model's own token)");
        plot.YLabel("% of steps");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, 1400, 700);
    }
}
