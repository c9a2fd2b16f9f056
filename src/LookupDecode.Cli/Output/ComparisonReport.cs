using System.Globalization;
using System.Text;
using System.Text.Json;
using LookupDecode.Comparison;
using Spectre.Console;

namespace LookupDecode.Cli.Output;

/// <summary>The <c>compare</c> command's renderings: a Spectre table, the JSON document, CSV and Markdown.</summary>
internal static class ComparisonReport
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public static void WriteTable(TextWriter writer, ComparisonResult result, string title)
    {
        var table = new Table().Title(title).Border(TableBorder.Rounded);
        foreach (var column in new[] { "mode", "tokens/s", "(min–max)", "speedup", "peak MB", "Δ greedy MB", "n_drafted", "n_accept", "accept %", "mean accept", "identical" })
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }

        foreach (var row in result.Rows)
        {
            table.AddRow(
                Markup.Escape(row.Label),
                F(row.TokensPerSecond, 1),
                $"{F(row.TokensPerSecondMin, 1)}–{F(row.TokensPerSecondMax, 1)}",
                F(row.Speedup, 2) + "×",
                F(row.PeakMemoryMegabytes, 1),
                (result.PeakMemoryDeltaMegabytes(row) >= 0 ? "+" : "") + F(result.PeakMemoryDeltaMegabytes(row), 1),
                row.Drafted.ToString(CultureInfo.InvariantCulture),
                row.Accepted.ToString(CultureInfo.InvariantCulture),
                F(row.AcceptPercent, 1),
                F(row.MeanAcceptLength, 2),
                row.IdenticalToBaseline ? "[green]yes[/]" : "[red]no[/]");
        }

        var console = ConsoleFactory.For(writer);
        console.Write(table);
        foreach (var row in result.Rows.Where(row => row.Fallback is not null))
        {
            console.MarkupLine($"[yellow]{Markup.Escape(row.Label)}: {Markup.Escape(row.Fallback!)}[/]");
        }
    }

    /// <summary>The documented <c>--json</c> document: <c>{ "runs": [ … ] }</c>.</summary>
    public static string ToJson(ComparisonResult result)
    {
        var runs = result.Rows.Select(row => new Dictionary<string, object>
        {
            ["mode"] = row.Label,
            ["tokens_per_second"] = Math.Round(row.TokensPerSecond, 2),
            ["tokens_per_second_min"] = Math.Round(row.TokensPerSecondMin, 2),
            ["tokens_per_second_max"] = Math.Round(row.TokensPerSecondMax, 2),
            ["speedup"] = Math.Round(row.Speedup, 4),
            ["peak_memory_mb"] = Math.Round(row.PeakMemoryMegabytes, 1),
            ["peak_memory_delta_mb"] = Math.Round(result.PeakMemoryDeltaMegabytes(row), 1),
            ["n_drafted"] = row.Drafted,
            ["n_accept"] = row.Accepted,
            ["accept_percent"] = Math.Round(row.AcceptPercent, 3),
            ["mean_accept_length"] = Math.Round(row.MeanAcceptLength, 4),
            ["identical_to_greedy"] = row.IdenticalToBaseline,
        });
        return JsonSerializer.Serialize(new Dictionary<string, object> { ["runs"] = runs }, JsonOptions);
    }

    public static string ToCsv(ComparisonResult result)
    {
        var csv = new StringBuilder("mode,tokens_per_second,tokens_per_second_min,tokens_per_second_max,speedup,peak_memory_mb,peak_memory_delta_mb,n_drafted,n_accept,accept_percent,mean_accept_length,decode_calls,identical_to_greedy\n");
        foreach (var row in result.Rows)
        {
            csv.AppendLine(string.Join(',',
                row.Label, F(row.TokensPerSecond, 2), F(row.TokensPerSecondMin, 2), F(row.TokensPerSecondMax, 2), F(row.Speedup, 4),
                F(row.PeakMemoryMegabytes, 1), F(result.PeakMemoryDeltaMegabytes(row), 1), row.Drafted, row.Accepted,
                F(row.AcceptPercent, 3), F(row.MeanAcceptLength, 4), row.DecodeCalls, row.IdenticalToBaseline ? "yes" : "no"));
        }

        return csv.ToString();
    }

    public static void WriteFiles(string directory, ComparisonResult result)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "comparison.json"), ToJson(result));
        File.WriteAllText(Path.Combine(directory, "comparison.csv"), ToCsv(result));
    }

    private static string F(double value, int decimals) => value.ToString("F" + decimals, CultureInfo.InvariantCulture);
}
