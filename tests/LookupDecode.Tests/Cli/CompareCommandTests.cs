using System.Text.Json;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Cli;

[Collection(SharedModelsCollection.Name)]
public sealed class CompareCommandTests
{
    private static readonly string[] RunFields =
        ["mode", "tokens_per_second", "tokens_per_second_min", "tokens_per_second_max", "speedup", "peak_memory_mb", "peak_memory_delta_mb",
         "n_drafted", "n_accept", "accept_percent", "mean_accept_length", "identical_to_greedy"];

    public static TheoryData<string> Prompts => new(PromptNames.All);

    [ModelTheory, MemberData(nameof(Prompts))]
    public async Task Every_mode_is_identical_to_greedy_and_the_json_has_the_documented_schema(string prompt)
    {
        var (exitCode, output, error) = await CliRunner.RunAsync(
            "compare", "--model", TestPaths.Model("llama-2-tiny-random.gguf"), "--prompt-file", TestPaths.Prompt(prompt),
            "--max-tokens", "48", "--repeat", "1", "--ctx", "2048", "--threads", "2", "--modes", "greedy,prompt-lookup,lookup,auto", "--json");

        Assert.True(exitCode == 0, error);
        using var document = JsonDocument.Parse(output);
        var root = document.RootElement;
        Assert.Equal(["runs"], root.EnumerateObject().Select(property => property.Name));
        var runs = root.GetProperty("runs").EnumerateArray().ToArray();
        Assert.Equal(["greedy", "prompt-lookup", "lookup", "auto"], runs.Select(run => run.GetProperty("mode").GetString()));
        Assert.All(runs, run =>
        {
            Assert.Equal(RunFields, run.EnumerateObject().Select(property => property.Name));
            Assert.True(run.GetProperty("identical_to_greedy").GetBoolean());
            Assert.True(run.GetProperty("tokens_per_second").GetDouble() > 0);
            Assert.True(run.GetProperty("peak_memory_mb").GetDouble() > 0);
            Assert.InRange(run.GetProperty("tokens_per_second").GetDouble(), run.GetProperty("tokens_per_second_min").GetDouble(), run.GetProperty("tokens_per_second_max").GetDouble());
        });
        Assert.Equal(1.0, runs[0].GetProperty("speedup").GetDouble());
    }

    [ModelFact]
    public async Task Table_output_and_out_directory_files()
    {
        using var temp = new TempDirectory();

        var (exitCode, output, error) = await CliRunner.RunAsync(
            "compare", "-m", TestPaths.Model("stories260K.gguf"), "-f", TestPaths.Prompt("tiny-once"),
            "--max-tokens", "32", "--repeat", "2", "--modes", "lookup,greedy", "--draft", "3", "--threads", "2", "--out", temp.Path);

        Assert.True(exitCode == 0, error);
        Assert.Contains("identical", output, StringComparison.Ordinal);
        Assert.Contains("lookup", output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(temp.Path, "comparison.csv")));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(temp.Path, "comparison.json")));
        Assert.Equal("greedy", json.RootElement.GetProperty("runs")[0].GetProperty("mode").GetString());
    }

    [ModelFact]
    public async Task Without_modes_it_compares_greedy_with_auto()
    {
        var (exitCode, output, error) = await CliRunner.RunAsync(
            "compare", "-m", TestPaths.Model("stories260K.gguf"), "-p", "Once upon a time", "--max-tokens", "16", "--repeat", "1", "--threads", "2", "--json");

        Assert.True(exitCode == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(["greedy", "auto"], json.RootElement.GetProperty("runs").EnumerateArray().Select(run => run.GetProperty("mode").GetString()));
    }

    [ModelFact]
    public async Task Chat_on_a_model_without_a_template_is_a_one_line_error()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(
            "compare", "-m", TestPaths.Model("stories260K.gguf"), "-f", TestPaths.Prompt("tiny-once"), "--chat", "--repeat", "1", "--threads", "2");

        Assert.Equal(1, exitCode);
        Assert.Contains("chat template", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task Unknown_mode_is_a_one_line_error()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync("compare", "-m", "unused.gguf", "-f", "unused.txt", "--modes", "greedy,warp-drive");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("warp-drive", error, StringComparison.Ordinal);
    }

    [ModelFact]
    public async Task Compare_takes_an_inline_prompt_and_refuses_the_single_mode_flag_it_would_ignore()
    {
        var (exitCode, output, error) = await CliRunner.RunAsync(
            "compare", "--model", TestPaths.Model("stories260K.gguf"), "--prompt", "Once upon a time", "--modes", "greedy,llama-lookup",
            "--max-tokens", "16", "--repeat", "2", "--threads", "2", "--ctx", "512", "--json");
        var (refused, _, refusal) = await CliRunner.RunAsync(
            "compare", "--model", TestPaths.Model("stories260K.gguf"), "--prompt", "Once upon a time", "--mode", "lookup");

        Assert.True(exitCode == 0, error);
        using var document = JsonDocument.Parse(output);
        var runs = document.RootElement.GetProperty("runs").EnumerateArray().ToArray();
        Assert.Equal(["greedy", "llama-lookup"], runs.Select(run => run.GetProperty("mode").GetString()));
        Assert.Equal(0.0, runs[0].GetProperty("peak_memory_delta_mb").GetDouble());
        Assert.Equal(2, refused);
        Assert.Contains("--mode", refusal, StringComparison.Ordinal);
    }
}
