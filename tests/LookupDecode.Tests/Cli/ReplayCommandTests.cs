using System.Text.Json;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Cli;

/// <summary><c>lookupdecode replay</c> as a person runs it: the JSON schema, the report files, and bad input as one line.</summary>
public sealed class ReplayCommandTests : IDisposable
{
    private static readonly string[] FigureFields = ["mean_accepted_tokens", "accept_percent", "drafted", "accepted", "speedup", "tokens", "steps"];

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string[] Arguments(params string[] extra) =>
    [
        "replay", "--model", TestPaths.Model("llama-2-tiny-random.gguf"), "--threads", "2",
        "--questions", TestPaths.Trace("spec-bench", "question.jsonl"), "--answers", TestPaths.Trace("spec-bench", "vicuna-7b-v1.3-greedy.jsonl"),
        .. extra,
    ];

    [TraceFact]
    public async Task Simulate_prints_the_documented_json_for_every_spec_bench_category()
    {
        var (exitCode, output, error) = await CliRunner.RunAsync(Arguments(
            "--simulate", "--cost-curve", "flat", "--variants", "greedy,pld,auto", "--per-category", "3", "--json", "--out", _temp.Path));

        Assert.True(exitCode == 0, error);
        using var document = JsonDocument.Parse(output);
        var root = document.RootElement;
        Assert.Equal("simulate", root.GetProperty("mode").GetString());
        var variants = root.GetProperty("variants").EnumerateArray().ToArray();
        Assert.Equal(["greedy", "pld", "auto"], variants.Select(variant => variant.GetProperty("name").GetString()));
        foreach (var variant in variants)
        {
            Assert.Equal(FigureFields, variant.GetProperty("overall").EnumerateObject().Select(property => property.Name));
            Assert.Equal(["mt_bench", "translation", "summarization", "qa", "math_reasoning", "rag"],
                variant.GetProperty("categories").EnumerateObject().Select(property => property.Name));
        }

        Assert.Equal(1.0, variants[0].GetProperty("overall").GetProperty("mean_accepted_tokens").GetDouble());
        Assert.True(variants[1].GetProperty("overall").GetProperty("mean_accepted_tokens").GetDouble() > 1.2);
        foreach (var file in new[] { "report.md", "results.csv", "results.json", "speedup.png", "tokens-per-step.png" })
        {
            Assert.True(File.Exists(Path.Combine(_temp.Path, file)), file);
        }

        var report = File.ReadAllText(Path.Combine(_temp.Path, "report.md"));
        Assert.Contains("| PLD (published) |", report, StringComparison.Ordinal);
        Assert.Contains("| EAGLE (recorded) |", report, StringComparison.Ordinal);
    }

    [TraceFact]
    public async Task Simulate_writes_every_drafters_proposal_at_every_position_when_asked()
    {
        var table = Path.Combine(_temp.Path, "proposals.csv");
        var (exitCode, _, error) = await CliRunner.RunAsync(Arguments(
            "--simulate", "--cost-curve", "flat", "--variants", "greedy", "--categories", "summarization", "--per-category", "2",
            "--max-tokens", "40", "--proposals", table));

        Assert.True(exitCode == 0, error);
        var lines = File.ReadAllLines(table);
        Assert.Equal(LookupDecode.Replay.ProposalTable.Header, lines[0]);
        var rows = lines.Skip(1).Select(line => line.Split(',')).ToArray();
        Assert.Equal(["lookup", "prompt-lookup", "suffix"], rows.Select(row => row[5]).Distinct().Order(StringComparer.Ordinal));
        Assert.All(rows, row => Assert.Equal("summarization", row[1]));
        Assert.All(rows, row => Assert.InRange(int.Parse(row[7], System.Globalization.CultureInfo.InvariantCulture), 0, int.Parse(row[6], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Contains(rows, row => int.Parse(row[7], System.Globalization.CultureInfo.InvariantCulture) > 0);

        // Each turn: every drafter at every position up to the token limit (answers are longer than 40 tokens here).
        Assert.All(rows.GroupBy(row => (row[0], row[2])), turn => Assert.Equal(3 * 40, turn.Count()));
    }

    [TraceTheory]
    [InlineData("--proposals-of", "oracle", "no drafters of its own")]
    [InlineData("--proposals-of", "greedy", "no drafters of its own")]
    [InlineData("--proposals-of", "pld,suffix", "names one variant")]
    public async Task A_proposal_table_needs_one_variant_with_drafters(string flag, string value, string expected)
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(Arguments(
            "--simulate", "--cost-curve", "flat", "--variants", "greedy", "--proposals", Path.Combine(_temp.Path, "t.csv"), flag, value));

        Assert.Equal(1, exitCode);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_temp.Path, "t.csv")));
    }

    [TraceFact]
    public async Task Forced_replay_runs_the_engine_and_adds_greedy_as_the_baseline()
    {
        var (exitCode, output, error) = await CliRunner.RunAsync(Arguments(
            "--variants", "pld", "--categories", "summarization", "--per-category", "1", "--max-tokens", "32", "--ctx", "4096", "--json"));

        Assert.True(exitCode == 0, error);
        using var document = JsonDocument.Parse(output);
        Assert.Equal("forced", document.RootElement.GetProperty("mode").GetString());
        var variants = document.RootElement.GetProperty("variants").EnumerateArray().ToArray();
        Assert.Equal(["greedy", "pld"], variants.Select(variant => variant.GetProperty("name").GetString()));
        Assert.Equal(["summarization"], variants[1].GetProperty("categories").EnumerateObject().Select(property => property.Name));
        Assert.True(variants[1].GetProperty("overall").GetProperty("speedup").GetDouble() > 0);
    }

    [TraceTheory]
    [InlineData("--variants", "greedy,medusa", "--variants")]
    [InlineData("--categories", "poetry", "unknown category 'poetry'")]
    [InlineData("--max-tokens", "0", "--max-tokens")]
    [InlineData("--per-category", "0", "--per-category")]
    [InlineData("--proposals", "table.csv", "option --proposals: applies to --simulate only")]
    public async Task Bad_options_are_one_line_naming_the_flag(string flag, string value, string expected)
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(Arguments(flag, value));

        Assert.Equal(1, exitCode);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [TraceFact]
    public async Task A_bad_trace_file_and_an_unknown_template_are_errors_not_stack_traces()
    {
        var broken = _temp.File("answers.jsonl");
        File.WriteAllText(broken, "{\"question_id\": 81, \"choices\": [{\"turns\": [\"ok\"]}]}\n{not json\n");

        var (badFile, _, fileError) = await CliRunner.RunAsync(
            "replay", "--model", TestPaths.Model("llama-2-tiny-random.gguf"), "--simulate", "--cost-curve", "flat",
            "--questions", TestPaths.Trace("spec-bench", "question.jsonl"), "--answers", broken);
        var (badTemplate, _, templateError) = await CliRunner.RunAsync(Arguments("--template", "chatml"));

        Assert.Equal(1, badFile);
        Assert.Contains("line 2: not valid JSON", fileError, StringComparison.Ordinal);
        Assert.Equal(2, badTemplate);
        Assert.Contains("chatml", templateError, StringComparison.Ordinal);
    }
}
