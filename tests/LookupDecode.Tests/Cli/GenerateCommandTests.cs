using System.Text.Json;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Cli;

[Collection(SharedModelsCollection.Name)]
public sealed class GenerateCommandTests(SharedModels models)
{
    private static readonly string[] RequiredJsonFields =
    [
        "mode", "n_draft", "prompt_tokens", "n_predict", "n_drafted", "n_accept", "accept_percent", "mean_accept_length",
        "decode_calls", "tokens_per_second", "peak_memory_mb", "tokens", "text",
    ];

    [ModelFact]
    public async Task Json_output_has_every_documented_field_and_the_default_auto_mode_gives_the_greedy_tokens()
    {
        var modelPath = TestPaths.Model(TestModelNames.FileOf(TestModelNames.Stories260K));

        var (exitCode, output, error) = await CliRunner.RunAsync(
            "generate", "--model", modelPath, "--prompt", "Once upon a time", "--max-tokens", "24", "--ctx", "2048", "--threads", "2", "--json");

        Assert.True(exitCode == 0, error);
        using var document = JsonDocument.Parse(output);
        var root = document.RootElement;
        Assert.All(RequiredJsonFields, field => Assert.True(root.TryGetProperty(field, out _), $"missing {field}"));
        Assert.Equal("auto", root.GetProperty("mode").GetString());
        using var session = models.Get(TestModelNames.Stories260K).CreateSession();
        var expected = session.Generate("Once upon a time", new LookupDecode.Decoding.GenerationOptions { MaxTokens = 24 });
        Assert.Equal(expected.Tokens, root.GetProperty("tokens").EnumerateArray().Select(token => token.GetInt32()));
        Assert.Equal(expected.Text, root.GetProperty("text").GetString());
    }

    [ModelFact]
    public async Task Streamed_output_is_the_generated_text_and_statistics_go_to_stderr()
    {
        var modelPath = TestPaths.Model(TestModelNames.FileOf(TestModelNames.Stories260K));

        var (exitCode, output, error) = await CliRunner.RunAsync(
            "generate", "-m", modelPath, "-f", TestPaths.Prompt("tiny-once"), "-n", "16", "--threads", "2");

        Assert.Equal(0, exitCode);
        Assert.StartsWith(", there was a little girl", output, StringComparison.Ordinal);
        Assert.Contains("decoded    16 tokens", error, StringComparison.Ordinal);
        Assert.Contains("peak memory", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--draft", "0")]
    [InlineData("--draft", "257")]
    [InlineData("--max-tokens", "0")]
    [InlineData("--ctx", "4")]
    [InlineData("--temp", "-1")]
    public async Task Out_of_range_option_is_a_one_line_error(string option, string value)
    {
        var (exitCode, output, error) = await CliRunner.RunAsync(
            "generate", "--model", "unused.gguf", "--prompt", "hi", option, value);

        Assert.NotEqual(0, exitCode);
        Assert.Empty(output);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains(option, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("generate", "--draft-p-min", "0.5", "--draft-p-min applies only with --draft-model")]
    [InlineData("compare", "-td", "3", "--draft-threads applies only with --draft-model")]
    [InlineData("replay", "--draft-gpu-layers", "1", "--draft-gpu-layers applies only with --draft-model")]
    [InlineData("chat", "--draft-p-min", "0.5", "--draft-p-min applies only with --draft-model")]
    [InlineData("generate", "--draft-p-min", "2", "--draft-p-min must be between 0 and 1, was 2")]
    public async Task Draft_model_settings_are_checked_before_any_model_loads(string command, string option, string value, string expected)
    {
        string[] arguments = command switch
        {
            "replay" => [command, "--model", "unused.gguf", "--questions", "q.jsonl", "--answers", "a.jsonl"],
            "chat" => [command, "--model", "unused.gguf"],
            _ => [command, "--model", "unused.gguf", "--prompt", "hi"],
        };
        string[] draftModel = value == "2" ? ["--draft-model", "unused-draft.gguf"] : [];

        var (exitCode, output, error) = await CliRunner.RunAsync([.. arguments, .. draftModel, option, value]);

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("unused", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("generate --mode lookup --draft-model unused-draft.gguf", "'lookup' cannot draft with a draft model")]
    [InlineData("compare --modes greedy,pld --draft-model unused-draft.gguf", "'greedy', 'pld' cannot draft with a draft model")]
    [InlineData("chat --mode greedy --draft-model unused-draft.gguf", "'greedy' cannot draft with a draft model")]
    [InlineData("generate --mode draft-model", "'draft-model' drafts with a draft model: give one with --draft-model")]
    [InlineData("compare --modes greedy,draft-model", "'draft-model' drafts with a draft model: give one with --draft-model")]
    public async Task A_draft_model_is_never_silently_ignored_nor_silently_missing(string command, string expected)
    {
        string[] arguments = [.. command.Split(' '), "--model", "unused.gguf", .. command.StartsWith("chat", StringComparison.Ordinal) ? Array.Empty<string>() : ["--prompt", "hi"]];

        var (exitCode, output, error) = await CliRunner.RunAsync(arguments);

        Assert.Equal(1, exitCode);
        Assert.Empty(output);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("unused.gguf", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Flash_attention_off_with_a_Q8_0_cache_is_a_one_line_error_before_any_model_loads()
    {
        var (exitCode, output, error) = await CliRunner.RunAsync("generate", "--model", "unused.gguf", "--prompt", "hi", "--kv-type", "q8_0", "-fa", "off");

        Assert.Equal(1, exitCode);
        Assert.Empty(output);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains("--flash-attn", error, StringComparison.Ordinal);
        Assert.Contains("Q8_0", error, StringComparison.Ordinal);
    }

    [ModelTheory]
    [InlineData("on")]
    [InlineData("off")]
    public async Task Either_flash_attention_setting_gives_the_greedy_tokens_on_an_F16_cache(string setting)
    {
        var modelPath = TestPaths.Model(TestModelNames.FileOf(TestModelNames.Stories260K));

        var (exitCode, output, error) = await CliRunner.RunAsync(
            "generate", "--model", modelPath, "--prompt", "Once upon a time", "--max-tokens", "24", "--threads", "2", "--kv-type", "f16", "-fa", setting, "--json");

        Assert.True(exitCode == 0, error);
        using var document = JsonDocument.Parse(output);
        using var session = models.Get(TestModelNames.Stories260K).CreateSession();
        var expected = session.Generate("Once upon a time", new LookupDecode.Decoding.GenerationOptions { MaxTokens = 24 });
        Assert.Equal(expected.Tokens, document.RootElement.GetProperty("tokens").EnumerateArray().Select(token => token.GetInt32()));
    }

    [Fact]
    public async Task Missing_prompt_is_a_one_line_usage_error()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync("generate", "--model", "unused.gguf");

        Assert.Equal(2, exitCode);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains("--prompt", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreadable_prompt_file_is_a_one_line_error()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(
            "generate", "--model", "unused.gguf", "--prompt-file", "/nonexistent/prompt.txt");

        Assert.Equal(1, exitCode);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains("/nonexistent/prompt.txt", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_model_file_is_a_one_line_error_naming_it()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync("generate", "--model", "/nonexistent/model.gguf", "--prompt", "hi");

        Assert.Equal(1, exitCode);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains("/nonexistent/model.gguf", error, StringComparison.Ordinal);
    }

    [ModelFact]
    public async Task Lookup_mode_with_the_upstream_limit_reports_upstream_figures()
    {
        var run = UpstreamRun.Load("llama-2-tiny-random.story.draft10.json");

        var (exitCode, output, error) = await CliRunner.RunAsync(
            "generate", "--model", TestPaths.Model("llama-2-tiny-random.gguf"), "--prompt-file", TestPaths.Prompt("story"),
            "--mode", "lookup", "--draft", "10", "--max-tokens", "64", "--upstream-limit", "--ctx", "2048", "--threads", "2", "--json");

        Assert.True(exitCode == 0, error);
        using var document = JsonDocument.Parse(output);
        var root = document.RootElement;
        Assert.Equal("lookup", root.GetProperty("mode").GetString());
        Assert.Equal(10, root.GetProperty("n_draft").GetInt32());
        Assert.Equal(run.Predicted, root.GetProperty("n_predict").GetInt32());
        Assert.Equal(run.Drafted, root.GetProperty("n_drafted").GetInt32());
        Assert.Equal(run.Accepted, root.GetProperty("n_accept").GetInt32());
    }

    [ModelFact]
    public async Task Static_and_dynamic_cache_options_reproduce_the_upstream_cache_run()
    {
        using var temp = new TempDirectory();
        var run = UpstreamRun.Load("stories260K.tiny-dog.draft10.static-dynamic.json");
        var dynamicPath = temp.File("dynamic.lcd.bin");

        var (exitCode, output, error) = await CliRunner.RunAsync(
            "generate", "--model", TestPaths.Model("stories260K.gguf"), "--prompt-file", TestPaths.Prompt("tiny-dog"),
            "--mode", "lookup", "--draft", "10", "--max-tokens", "64", "--upstream-limit", "--threads", "2", "--json",
            "--static-cache", TestPaths.Fixture("upstream", run.StaticCache!), "--dynamic-cache", dynamicPath);

        Assert.True(exitCode == 0, error);
        using var document = JsonDocument.Parse(output);
        Assert.Equal(run.Drafted, document.RootElement.GetProperty("n_drafted").GetInt32());
        Assert.Equal(run.Accepted, document.RootElement.GetProperty("n_accept").GetInt32());
        var saved = LookupDecode.Ngrams.NgramCache.Load(dynamicPath);
        Assert.True(saved.ContentEquals(LookupDecode.Ngrams.NgramCache.Load(TestPaths.Fixture("upstream", "stories260K.tiny-dog.dynamic.lcd.bin"))));
    }

    [ModelFact]
    public async Task Truncated_static_cache_is_a_one_line_error_with_the_offset()
    {
        using var temp = new TempDirectory();
        var original = File.ReadAllBytes(TestPaths.Fixture("upstream", "static-corpus.lcs.bin"));
        var truncated = temp.File("truncated.lcs.bin");
        File.WriteAllBytes(truncated, original.AsSpan(0, original.Length - 3).ToArray());

        var (exitCode, _, error) = await CliRunner.RunAsync(
            "generate", "--model", TestPaths.Model("llama-2-tiny-random.gguf"), "--prompt", "hi", "--mode", "lookup", "--static-cache", truncated);

        Assert.Equal(1, exitCode);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains("byte offset", error, StringComparison.Ordinal);
    }

    [ModelFact]
    public async Task Prompt_lookup_mode_generates_the_greedy_tokens()
    {
        var modelPath = TestPaths.Model(TestModelNames.FileOf(TestModelNames.TinyRandom));
        using var session = models.Get(TestModelNames.TinyRandom).CreateSession();
        var expected = session.Generate(LookupDecode.Text.PromptFile.ReadText(TestPaths.Prompt("summarize-article")),
            new LookupDecode.Decoding.GenerationOptions { MaxTokens = 48 });

        var (exitCode, output, error) = await CliRunner.RunAsync(
            "generate", "-m", modelPath, "-f", TestPaths.Prompt("summarize-article"), "-n", "48", "--mode", "prompt-lookup",
            "--ngram-max", "2", "--match", "recent", "--ctx", "2048", "--threads", "2", "--json");

        Assert.True(exitCode == 0, error);
        using var document = JsonDocument.Parse(output);
        Assert.Equal(expected.Tokens, document.RootElement.GetProperty("tokens").EnumerateArray().Select(token => token.GetInt32()));
        Assert.True(document.RootElement.GetProperty("n_accept").GetInt32() > 0);
    }

    [Fact]
    public async Task A_bare_invocation_prints_usage_naming_the_tool()
    {
        var (exitCode, output, _) = await CliRunner.RunAsync();

        Assert.Equal(0, exitCode);
        Assert.Contains("lookupdecode [command] [options]", output, StringComparison.Ordinal);
    }

    [ModelFact]
    public async Task Llama_cpp_short_flags_and_sampling_options_are_understood()
    {
        var (exitCode, output, error) = await CliRunner.RunAsync(
            "generate", "-m", TestPaths.Model("stories260K.gguf"), "-p", "Once upon a time", "-n", "8", "-c", "256", "-t", "2",
            "-s", "3", "--temp", "0.8", "--top-k", "5", "--top-p", "0.9", "--min-p", "0.1", "-ngl", "0", "--repeat-penalty", "1.1", "--repeat-last-n", "32", "--json");

        Assert.True(exitCode == 0, error);
        Assert.Contains("\"n_predict\":8", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--top-p", "0")]
    [InlineData("--min-p", "2")]
    [InlineData("--top-k", "-1")]
    [InlineData("--repeat-penalty", "0")]
    [InlineData("--repeat-last-n", "-2")]
    public async Task Out_of_range_sampling_option_is_a_one_line_error_naming_it(string option, string value)
    {
        var (exitCode, _, error) = await CliRunner.RunAsync("generate", "--model", "unused.gguf", "--prompt", "hi", option, value);

        Assert.Equal(1, exitCode);
        Assert.Contains(option, error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [ModelFact]
    public async Task A_cache_given_to_a_mode_that_does_not_read_it_is_warned_about()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(
            "generate", "--model", TestPaths.Model("llama-2-tiny-random.gguf"), "--prompt", "Once upon a time", "--max-tokens", "4",
            "--mode", "pld", "--static-cache", TestPaths.Fixture("upstream", "static-corpus.lcs.bin"), "--ctx", "256");

        Assert.Equal(0, exitCode);
        Assert.Contains("warning: --static-cache/--dynamic-cache are read only by the lookup drafter; --mode pld", error, StringComparison.Ordinal);
    }
}
