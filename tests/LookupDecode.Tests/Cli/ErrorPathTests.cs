using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Cli;

/// <summary>Bad input reaching the command line: one line on stderr, a non-zero exit, nothing half-written.</summary>
public sealed class ErrorPathTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [ModelFact]
    public async Task Dynamic_cache_in_an_unwritable_place_is_a_one_line_error_and_the_text_was_still_generated()
    {
        File.WriteAllText(_temp.File("a-file"), "not a directory");
        var blocked = _temp.File("a-file/cache.bin");
        var (exitCode, output, error) = await CliRunner.RunAsync(
            "generate", "--model", TestPaths.Model("stories260K.gguf"), "--prompt", "Once upon a time", "-n", "8", "--mode", "lookup",
            "--draft", "3", "--dynamic-cache", blocked, "--threads", "2", "--json");

        Assert.Equal(1, exitCode);
        Assert.StartsWith(", there was", System.Text.Json.JsonDocument.Parse(output).RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Empty(Directory.GetFiles(_temp.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [ModelTheory]
    [InlineData("too-long")]
    [InlineData("max-tokens")]
    [InlineData("draft")]
    public async Task A_generation_refused_before_it_starts_leaves_the_dynamic_cache_as_it_was(string refusal)
    {
        var model = TestPaths.Model("stories260K.gguf");
        var cache = _temp.File("dynamic.bin");
        Assert.Equal(0, (await CliRunner.RunAsync("generate", "--model", model, "-p", "Once upon a time", "-n", "24", "--mode", "lookup", "--dynamic-cache", cache)).ExitCode);
        var before = File.ReadAllBytes(cache);
        var fresh = _temp.File("fresh.bin");
        var prompt = _temp.File("long.txt");
        File.WriteAllText(prompt, string.Concat(Enumerable.Repeat("Once upon a time there was a cat. ", 120)));
        string[] refused = refusal switch
        {
            "too-long" => ["-f", prompt, "--ctx", "256"],
            "max-tokens" => ["-p", "Once", "-n", "0"],
            _ => ["-p", "Once", "--draft", "100000"],
        };

        foreach (var target in (string[])[cache, fresh])
        {
            var (exitCode, output, error) = await CliRunner.RunAsync(["generate", "--model", model, "--mode", "lookup", "--dynamic-cache", target, .. refused]);

            Assert.Equal(1, exitCode);
            Assert.Empty(output);
            Assert.Single(error.TrimEnd().Split('\n'));
        }

        Assert.Equal(before, File.ReadAllBytes(cache));
        Assert.False(File.Exists(fresh));
        Assert.Empty(Directory.GetFiles(_temp.Path, "*.tmp"));
    }

    [ModelFact]
    public async Task Dynamic_cache_that_is_a_directory_is_refused_before_generating()
    {
        var directory = _temp.File("cache-directory");
        Directory.CreateDirectory(directory);
        var (exitCode, output, error) = await CliRunner.RunAsync(
            "generate", "--model", TestPaths.Model("stories260K.gguf"), "--prompt", "Once upon a time", "-n", "8",
            "--mode", "lookup", "--dynamic-cache", directory, "--threads", "2");

        Assert.Equal(1, exitCode);
        Assert.Empty(output);
        Assert.Contains("directory", error, StringComparison.Ordinal);
        Assert.True(Directory.Exists(directory));
    }

    [ModelFact]
    public async Task Empty_prompt_on_a_model_that_adds_bos_generates()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(
            "generate", "--model", TestPaths.Model("stories260K.gguf"), "--prompt", "", "-n", "4", "--threads", "2");

        Assert.True(exitCode == 0, error);
    }

    [ModelFact]
    public async Task Prompt_beyond_the_context_is_a_one_line_error()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(
            "generate", "--model", TestPaths.Model("stories260K.gguf"), "-f", TestPaths.Prompt("summarize-article"), "--ctx", "64", "--threads", "2");

        Assert.Equal(1, exitCode);
        Assert.Contains("context holds 64", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [ModelFact]
    public async Task Unencodable_corpus_for_cache_create_is_a_one_line_error_and_writes_nothing()
    {
        var output = _temp.File("never.lcs.bin");

        var (exitCode, _, error) = await CliRunner.RunAsync(
            "cache", "create", "--model", TestPaths.Model("TinyStories-656K-Q8_0.gguf"), "--file", TestPaths.Prompt("code-edit"), "--out", output);

        Assert.Equal(1, exitCode);
        Assert.Contains("cannot encode", error, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Theory]
    [InlineData("calibrate", "--max-batch", "0")]
    [InlineData("calibrate", "--depths", "zero")]
    [InlineData("cache", "stats", "--draft", "0")]
    [InlineData("calibrate", "--repeat", "0")]
    [InlineData("calibrate", "--depths", ",")]
    [InlineData("calibrate", "--depths", "2147483647")]
    public async Task Out_of_range_options_of_other_commands_are_one_line_errors(params string[] args)
    {
        List<string> command = [args[0]];
        if (args[0] == "cache")
        {
            command.AddRange([args[1], "--file", "unused.txt", args[2], args[3]]);
        }
        else
        {
            command.AddRange(args[1..]);
        }

        command.AddRange(["--model", TestPaths.ModelsDirectory is null ? "unused.gguf" : TestPaths.Model("stories260K.gguf")]);

        var (exitCode, _, error) = await CliRunner.RunAsync([.. command]);

        Assert.NotEqual(0, exitCode);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Theory]
    [InlineData("--embd", "model", "synth", "--embd", "2147483616")]
    [InlineData("--vocab", "model", "synth", "--embd", "16384", "--vocab", "1000000")]
    [InlineData("--temp", "generate", "-p", "Hi", "--temp", "1e-40")]
    [InlineData("--temp", "generate", "-p", "Hi", "--temp", "1e309")]
    public async Task Numeric_options_without_sense_are_one_line_errors_naming_the_flag(string flag, params string[] args)
    {
        List<string> command = [.. args, "--out", _temp.File("out.gguf")];
        if (args[0] == "generate")
        {
            command = [.. args, "--model", TestPaths.ModelsDirectory is null ? "unused.gguf" : TestPaths.Model("stories260K.gguf")];
        }

        var (exitCode, _, error) = await CliRunner.RunAsync([.. command]);

        Assert.Equal(1, exitCode);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains(flag, error, StringComparison.Ordinal);
        Assert.False(File.Exists(_temp.File("out.gguf")));
    }

    [ModelFact]
    public async Task Outputs_that_are_inputs_are_refused_and_the_input_is_untouched()
    {
        var corpus = _temp.File("corpus.txt");
        File.WriteAllText(corpus, "Once upon a time there was a cat.");
        var model = _temp.File("model.gguf");
        File.Copy(TestPaths.Model("stories260K.gguf"), model);
        var cacheA = _temp.File("a.bin");
        var cacheB = _temp.File("b.bin");
        Assert.Equal(0, (await CliRunner.RunAsync("cache", "create", "--model", model, "--file", corpus, "--out", cacheA)).ExitCode);
        File.Copy(cacheA, cacheB);
        var before = (File.ReadAllBytes(corpus), File.ReadAllBytes(model), File.ReadAllBytes(cacheA));

        var create = await CliRunner.RunAsync("cache", "create", "--model", model, "--file", corpus, "--out", corpus);
        var merge = await CliRunner.RunAsync("cache", "merge", cacheA, cacheB, cacheA);
        var linkToA = _temp.File("link-to-a.bin");
        File.CreateSymbolicLink(linkToA, cacheA);
        var mergeOverLink = await CliRunner.RunAsync("cache", "merge", cacheA, cacheB, linkToA);
        var mergeOverRelative = await CliRunner.RunAsync("cache", "merge", cacheA, cacheB, Path.Combine(_temp.Path, ".", "..", Path.GetFileName(_temp.Path), "b.bin"));
        var inflate = await CliRunner.RunAsync("model", "inflate", "--from", model, "--out", model, "--type", "f32");
        var dynamicOverStatic = await CliRunner.RunAsync("generate", "--model", model, "-p", "Once", "-n", "4", "--mode", "lookup",
            "--static-cache", cacheA, "--dynamic-cache", cacheA);

        foreach (var (exitCode, _, error) in new[] { create, merge, mergeOverLink, mergeOverRelative, inflate, dynamicOverStatic })
        {
            Assert.Equal(1, exitCode);
            Assert.Contains("it is the input", error, StringComparison.Ordinal);
        }

        Assert.Equal(before.Item1, File.ReadAllBytes(corpus));
        Assert.Equal(before.Item2, File.ReadAllBytes(model));
        Assert.Equal(before.Item3, File.ReadAllBytes(cacheA));
    }

    [ModelFact]
    public async Task Record_replay_and_memory_outputs_over_inputs_are_refused_and_every_input_is_untouched()
    {
        var model = _temp.File("model.gguf");
        File.Copy(TestPaths.Model("stories260K.gguf"), model);
        var questions = _temp.File("q.jsonl");
        File.WriteAllText(questions, """{"question_id": 1, "category": "story", "turns": ["Once upon a time"]}""" + "\n");
        var answers = _temp.File("a.jsonl");
        File.WriteAllText(answers, """{"question_id": 1, "choices": [{"index": 0, "turns": ["there was a cat."]}]}""" + "\n");
        var curve = _temp.File("curve.json");
        File.WriteAllText(curve, """{ "points": [[1, 1], [2, 1.9]] }""");
        var memory = _temp.File("memory.bin");
        var prompt = _temp.File("prompt.txt");
        File.WriteAllText(prompt, "Once upon a time");
        var link = _temp.File("link-to-questions.jsonl");
        File.CreateSymbolicLink(link, questions);
        string[] inputs = [model, questions, answers, curve, prompt];
        var before = inputs.Select(File.ReadAllBytes).ToArray();

        var recordOverQuestions = await CliRunner.RunAsync("record", "--model", model, "--questions", questions, "--out", questions, "--template", "raw");
        var recordOverLink = await CliRunner.RunAsync("record", "--model", model, "--questions", questions, "--out", link, "--template", "raw");
        var recordOverModel = await CliRunner.RunAsync("record", "--model", model, "--questions", questions, "--out", model, "--template", "raw");
        var proposalsOverCurve = await CliRunner.RunAsync("replay", "--model", model, "--questions", questions, "--answers", answers, "--template", "raw",
            "--simulate", "--cost-curve", curve, "--variants", "greedy", "--proposals-of", "pld", "--proposals", curve);
        var suffixOverDynamic = await CliRunner.RunAsync("generate", "--model", model, "-p", "Once", "-n", "4", "--mode", "lookup,suffix",
            "--suffix-memory", memory, "--dynamic-cache", memory);
        var suffixOverModel = await CliRunner.RunAsync("generate", "--model", model, "-p", "Once", "-n", "4", "--mode", "suffix", "--suffix-memory", model);
        var dynamicOverPrompt = await CliRunner.RunAsync("generate", "--model", model, "-f", prompt, "-n", "4", "--mode", "lookup", "--dynamic-cache", prompt);

        foreach (var (exitCode, _, error) in new[] { recordOverQuestions, recordOverLink, recordOverModel, proposalsOverCurve, suffixOverDynamic, suffixOverModel, dynamicOverPrompt })
        {
            Assert.Equal(1, exitCode);
            Assert.Single(error.TrimEnd().Split('\n'));
            Assert.Contains("it is the input", error, StringComparison.Ordinal);
        }

        Assert.Equal(before, inputs.Select(File.ReadAllBytes));
        Assert.False(File.Exists(memory));
    }

    [ModelTheory]
    [InlineData("1-D")]
    [InlineData("3-D")]
    [InlineData("transposed")]
    public async Task Model_inflation_of_a_malformed_embedding_tensor_is_a_one_line_error(string shape)
    {
        var source = _temp.File("malformed.gguf");
        GgufRewrite.Copy(TestPaths.Model("stories260K.gguf"), source, editDimensions: tensor => tensor.Name != "token_embd.weight" ? tensor.Dimensions : shape switch
        {
            "1-D" => [tensor.Dimensions[0] * tensor.Dimensions[1]],
            "3-D" => [tensor.Dimensions[0], tensor.Dimensions[1], 1],
            _ => [tensor.Dimensions[1], tensor.Dimensions[0]],
        });
        var output = _temp.File("never.gguf");

        var (exitCode, _, error) = await CliRunner.RunAsync("model", "inflate", "--from", source, "--shape", "tiny", "--out", output);

        Assert.Equal(1, exitCode);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains("token_embd.weight", error, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [ModelFact]
    public async Task Model_inflation_into_an_impossible_shape_is_a_one_line_error_and_writes_nothing()
    {
        var output = _temp.File("never.gguf");

        var (exitCode, _, error) = await CliRunner.RunAsync(
            "model", "inflate", "--from", TestPaths.Model("stories260K.gguf"), "--shape", "tiny", "--embd", "32", "--out", output);

        Assert.Equal(1, exitCode);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains("Invalid option --", error, StringComparison.Ordinal); // named as the flag the user typed
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task Inflate_defaults_to_a_shape_that_can_hold_a_small_model_and_offers_no_vocabulary_override()
    {
        var (_, help, _) = await CliRunner.RunAsync("model", "inflate", "--help");
        var (_, synthHelp, _) = await CliRunner.RunAsync("model", "synth", "--help");

        Assert.Contains("[default: llama-1b]", help, StringComparison.Ordinal);
        Assert.DoesNotContain("--vocab", help, StringComparison.Ordinal);
        Assert.Contains("--vocab", synthHelp, StringComparison.Ordinal);
    }
}
