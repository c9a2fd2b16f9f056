using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LookupDecode.Replay;
using Spectre.Console;

namespace LookupDecode.Cli.Output;

/// <summary>The <c>replay</c> command's renderings: a Spectre table, the JSON document, and the files of <c>--out</c>.</summary>
internal static class ReplayReportWriter
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public static void WriteTable(TextWriter writer, ReplayReport report, string title)
    {
        var table = new Table().Title(Markup.Escape(title)).Border(TableBorder.Rounded);
        table.AddColumn("variant");
        foreach (var category in report.Categories)
        {
            table.AddColumn(new TableColumn(Markup.Escape(category)).RightAligned());
        }

        table.AddColumn(new TableColumn("overall").RightAligned());
        table.AddColumn(new TableColumn("accept %").RightAligned());
        table.AddColumn(new TableColumn("drafted").RightAligned());
        table.AddColumn(new TableColumn("accepted").RightAligned());
        foreach (var variant in report.Variants)
        {
            var cells = new List<string> { Markup.Escape(variant.Name) };
            cells.AddRange(report.Categories.Select(category => Cell(variant.Categories[category])));
            cells.Add(Cell(variant.Overall));
            cells.Add(F(variant.Overall.Figures.AcceptPercent, 1));
            cells.Add(variant.Overall.Figures.Drafted.ToString(CultureInfo.InvariantCulture));
            cells.Add(variant.Overall.Figures.Accepted.ToString(CultureInfo.InvariantCulture));
            table.AddRow(cells.ToArray());
        }

        table.Caption("each cell: mean tokens per step (1.00 = plain decoding) · " + (report.Forced ? "measured" : "predicted") + " speedup over greedy");
        ConsoleFactory.For(writer).Write(table);

        static string Cell(ReplayCell cell) => $"{F(cell.Figures.MeanAcceptedTokens, 2)} · {F(cell.Speedup, 2)}×";
    }

    public static string ToJson(ReplayReport report)
    {
        var variants = new JsonArray();
        foreach (var variant in report.Variants)
        {
            var categories = new JsonObject();
            foreach (var category in report.Categories)
            {
                categories[category] = Figures(variant.Categories[category]);
            }

            variants.Add(new JsonObject
            {
                ["name"] = variant.Name,
                ["overall"] = Figures(variant.Overall),
                ["categories"] = categories,
            });
        }

        var root = new JsonObject
        {
            ["mode"] = report.Forced ? "forced" : "simulate",
            ["turns"] = report.Traces.Count,
            ["cancelled"] = report.Cancelled,
            ["variants"] = variants,
        };
        return root.ToJsonString(JsonOptions);

        static JsonObject Figures(ReplayCell cell) => new()
        {
            ["mean_accepted_tokens"] = Math.Round(cell.Figures.MeanAcceptedTokens, 4),
            ["accept_percent"] = Math.Round(cell.Figures.AcceptPercent, 2),
            ["drafted"] = cell.Figures.Drafted,
            ["accepted"] = cell.Figures.Accepted,
            ["speedup"] = Math.Round(cell.Speedup, 4),
            ["tokens"] = cell.Figures.Tokens,
            ["steps"] = cell.Figures.Steps,
        };
    }

    public static void WriteFiles(string directory, ReplayReport report, string title, IReadOnlyList<ReplayReference> references)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "report.md"), Markdown(report, title, references));
        File.WriteAllText(Path.Combine(directory, "results.csv"), Csv(report));
        File.WriteAllText(Path.Combine(directory, "results.json"), ToJson(report));
        ReplayPlots.Write(directory, report);
    }

    private static string Markdown(ReplayReport report, string title, IReadOnlyList<ReplayReference> references)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# {title}").AppendLine();
        text.AppendLine("Mean accepted tokens per verification step (the model's own token included; 1.00 = plain decoding), laid out like Spec-Bench's leaderboard.").AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"| | {string.Join(" | ", report.Categories)} | overall |");
        text.AppendLine(CultureInfo.InvariantCulture, $"|---|{string.Concat(report.Categories.Select(_ => "---|"))}---|");
        foreach (var variant in report.Variants)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {variant.Name} | {string.Join(" | ", report.Categories.Select(category => F(variant.Categories[category].Figures.MeanAcceptedTokens, 2)))} | {F(variant.Overall.Figures.MeanAcceptedTokens, 2)} |");
        }

        foreach (var reference in references)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {reference.Name} | {string.Join(" | ", report.Categories.Select(category => reference.Categories.TryGetValue(category, out var value) ? F(value, 2) : "–"))} | {(reference.Overall is { } overall ? F(overall, 2) : "–")} |");
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Speedup over plain decoding ({(report.Forced ? "measured decode time, same run" : "predicted by the cost curve")}):").AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"| | {string.Join(" | ", report.Categories)} | overall | accept % | drafted | accepted |");
        text.AppendLine(CultureInfo.InvariantCulture, $"|---|{string.Concat(report.Categories.Select(_ => "---|"))}---|---|---|---|");
        foreach (var variant in report.Variants)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {variant.Name} | {string.Join(" | ", report.Categories.Select(category => F(variant.Categories[category].Speedup, 2) + "×"))} | {F(variant.Overall.Speedup, 2)}× "
                + $"| {F(variant.Overall.Figures.AcceptPercent, 1)} | {variant.Overall.Figures.Drafted} | {variant.Overall.Figures.Accepted} |");
        }

        text.AppendLine();
        foreach (var reference in references)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- {reference.Name}: {reference.Source}");
        }

        if (report.Cancelled)
        {
            text.AppendLine().AppendLine("Cancelled: the figures cover the turns completed before.");
        }

        return text.ToString();
    }

    private static string Csv(ReplayReport report)
    {
        var text = new StringBuilder("variant,category,turns,tokens,steps,mean_accepted_tokens,drafted,accepted,accept_percent,speedup,decode_seconds\n");
        foreach (var variant in report.Variants)
        {
            foreach (var (category, cell) in report.Categories.Select(category => (category, variant.Categories[category])).Append(("overall", variant.Overall)))
            {
                var f = cell.Figures;
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"{variant.Name},{category},{f.Turns},{f.Tokens},{f.Steps},{F(f.MeanAcceptedTokens, 4)},{f.Drafted},{f.Accepted},{F(f.AcceptPercent, 2)},{F(cell.Speedup, 4)},{F(f.DecodeTime.TotalSeconds, 3)}");
            }
        }

        return text.ToString();
    }

    private static string F(double value, int digits) => value.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
