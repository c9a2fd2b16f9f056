using System.Text.Json;
using LookupDecode.Decoding;
using LookupDecode.Models;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Cli;

/// <summary>
/// <c>lookupdecode record</c> and <c>replay --draft-model</c> over plain completions (<c>--template raw</c>): a model's own
/// greedy continuations recorded, then replayed with a draft model offline and forced; the draft-model variants need one.
/// </summary>
public sealed class RecordAndReplayTests : IDisposable
{
    private const int Tokens = 40;
    private static readonly string[] Prompts = ["Once upon a time, there was a little girl named Lily.", "Tom had a big red ball. One day,", "The sun was hot and the dog"];
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>Writes the questions, and stories260K's own greedy continuations of them recorded by <c>lookupdecode record</c>.</summary>
    private async Task<(string Questions, string Answers)> RecordOwnContinuations()
    {
        var questions = _temp.File("questions.jsonl");
        var answers = _temp.File("answers.jsonl");
        File.WriteAllLines(questions, Prompts.Select((prompt, i) => JsonSerializer.Serialize(new { question_id = i + 1, category = "story", turns = new[] { prompt } })));
        var (exitCode, _, error) = await CliRunner.RunAsync(
            "record", "--model", TestPaths.Model("stories260K.gguf"), "--threads", "2", "--questions", questions, "--out", answers,
            "--template", "raw", "--max-tokens", Tokens.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(exitCode == 0, error);
        Assert.Contains($"recorded {Prompts.Length} questions", error, StringComparison.Ordinal);
        return (questions, answers);
    }

    [ModelFact]
    public async Task Record_writes_the_models_greedy_continuation_of_every_turn_as_a_fastchat_answer_file()
    {
        var questions = _temp.File("two-turns.jsonl");
        var answers = _temp.File("two-turns.answers.jsonl");
        File.WriteAllText(questions, JsonSerializer.Serialize(new { question_id = 7, category = "story", turns = new[] { Prompts[0], " Then" } }) + "\n");

        var (exitCode, _, error) = await CliRunner.RunAsync(
            "record", "--model", TestPaths.Model("stories260K.gguf"), "--threads", "2", "--questions", questions, "--out", answers,
            "--template", "raw", "-n", "24");

        Assert.True(exitCode == 0, error);
        var recorded = Assert.Single(LookupDecode.Replay.TraceFiles.ReadAnswers(answers));
        Assert.Equal(7, recorded.QuestionId);
        Assert.Equal(2, recorded.Turns.Count);
        using var model = LlamaModel.Load(TestPaths.Model("stories260K.gguf"), new ModelOptions { Threads = 2, CheckMode = ModelCheckMode.Managed });
        using var session = model.CreateSession();
        foreach (var (prompt, turn) in new[] { (Prompts[0], 0), (Prompts[0] + recorded.Turns[0] + " Then", 1) })
        {
            // Each turn is the model's greedy continuation of the text so far, the first answer included in the second prompt.
            var expected = session.Generate(prompt, new GenerationOptions { MaxTokens = 24 }).Tokens.Where(token => !model.IsEndOfGeneration(token)).ToArray();
            Assert.Equal(model.Detokenize(expected, renderSpecial: true), recorded.Turns[turn]);
        }
    }

    [ModelFact]
    public async Task With_a_chat_template_each_answer_is_stored_trimmed_and_replays_as_the_tokens_after_its_prompt()
    {
        var questions = _temp.File("chat.jsonl");
        var answers = _temp.File("chat.answers.jsonl");
        File.WriteAllText(questions, JsonSerializer.Serialize(new { question_id = 3, category = "qa", turns = new[] { "Name a colour.", "And another?" } }) + "\n");

        var (exitCode, _, error) = await CliRunner.RunAsync(
            "record", "--model", TestPaths.Model("llama-2-tiny-random.gguf"), "--threads", "2", "--questions", questions, "--out", answers,
            "--template", "llama-2", "-n", "16");

        Assert.True(exitCode == 0, error);
        var recorded = Assert.Single(LookupDecode.Replay.TraceFiles.ReadAnswers(answers)).Turns;
        using var model = LlamaModel.Load(TestPaths.Model("llama-2-tiny-random.gguf"), new ModelOptions { Threads = 2, CheckMode = ModelCheckMode.Managed });
        using var session = model.CreateSession();
        var template = LookupDecode.Replay.ConversationTemplate.Llama2;
        string[] asked = ["Name a colour.", "And another?"];
        for (var turn = 0; turn < 2; turn++)
        {
            var prompt = template.Prompt(asked[..(turn + 1)], recorded.Take(turn).ToArray());
            var tokens = session.Generate(prompt, new GenerationOptions { MaxTokens = 16 }).Tokens.Where(token => !model.IsEndOfGeneration(token)).ToArray();
            Assert.Equal(model.Detokenize(tokens, renderSpecial: true).Trim(), recorded[turn]);
        }

        // Read back as a trace, each turn's answer is what follows its prompt, the first answer inside the second prompt.
        var traces = LookupDecode.Replay.TraceTokenizer.Tokenize(model, template, LookupDecode.Replay.TraceFiles.ReadQuestions(questions), LookupDecode.Replay.TraceFiles.ReadAnswers(answers), answers);
        Assert.Equal(2, traces.Count);
        Assert.Equal(recorded[1], model.Detokenize(traces[1].Answer, renderSpecial: true).Trim());
        Assert.Contains(recorded[0], model.Detokenize(traces[1].Prompt, renderSpecial: true), StringComparison.Ordinal);
    }

    private static JsonElement[] Variants(string output)
    {
        using var document = JsonDocument.Parse(output);
        return [.. document.RootElement.GetProperty("variants").EnumerateArray().Select(variant => variant.Clone())];
    }

    private static double Overall(JsonElement variant, string field) => variant.GetProperty("overall").GetProperty(field).GetDouble();

    [ModelFact]
    public async Task A_model_drafting_for_its_own_recorded_output_is_always_accepted_offline_and_forced()
    {
        var (questions, answers) = await RecordOwnContinuations();
        string[] common =
        [
            "replay", "--model", TestPaths.Model("stories260K.gguf"), "--threads", "2", "--draft-model", TestPaths.Model("stories260K.gguf"),
            "--draft-p-min", "0", "--questions", questions, "--answers", answers, "--template", "raw", "--json",
        ];

        var (offlineExit, offline, offlineError) = await CliRunner.RunAsync([.. common, "--simulate", "--cost-curve", "flat", "--variants", "greedy,draft-model-d4,oracle"]);
        var (forcedExit, forced, forcedError) = await CliRunner.RunAsync([.. common, "--variants", "draft-model-d4"]);

        Assert.True(offlineExit == 0, offlineError);
        Assert.True(forcedExit == 0, forcedError);
        var simulated = Variants(offline);
        Assert.Equal(["greedy", "draft-model-d4", "oracle"], simulated.Select(variant => variant.GetProperty("name").GetString()));
        Assert.Equal(1.0, Overall(simulated[0], "mean_accepted_tokens"));

        // Its own continuation of the recorded text is the recorded text: every draft is accepted (but where its drafting
        // context's attention rounds a near-tie the other way).
        Assert.True(Overall(simulated[1], "accept_percent") >= 95, simulated[1].ToString());
        Assert.True(Overall(simulated[1], "mean_accepted_tokens") > 4, simulated[1].ToString());
        Assert.True(Overall(simulated[2], "mean_accepted_tokens") >= Overall(simulated[1], "mean_accepted_tokens"));
        var measured = Variants(forced);
        Assert.Equal(["greedy", "draft-model-d4"], measured.Select(variant => variant.GetProperty("name").GetString()));
        Assert.Equal(Overall(simulated[1], "accepted"), Overall(measured[1], "accepted"));
        Assert.Equal(Overall(simulated[1], "drafted"), Overall(measured[1], "drafted"));
    }

    [ModelFact]
    public async Task A_draft_model_variant_needs_a_draft_model_and_another_vocabulary_is_refused()
    {
        var (questions, answers) = await RecordOwnContinuations();
        string[] common = ["replay", "--model", TestPaths.Model("stories260K.gguf"), "--questions", questions, "--answers", answers, "--template", "raw", "--simulate", "--cost-curve", "flat"];

        var (missingExit, _, missingError) = await CliRunner.RunAsync([.. common, "--variants", "greedy,draft-model-auto"]);
        var (mismatchExit, _, mismatchError) = await CliRunner.RunAsync([.. common, "--variants", "draft-model", "--draft-model", TestPaths.Model("TinyStories-656K-Q8_0.gguf")]);

        Assert.Equal(1, missingExit);
        Assert.Contains("'draft-model-auto' drafts with a draft model: give one with --draft-model", missingError, StringComparison.Ordinal);
        Assert.Equal(1, mismatchExit);
        Assert.Contains("512 and 2048", mismatchError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", missingError + mismatchError, StringComparison.Ordinal);
    }
}
