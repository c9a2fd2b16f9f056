using System.Text.Json;
using LookupDecode.Decoding;
using LookupDecode.Models;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Cli;

/// <summary>
/// <c>lookupdecode replay --draft-model</c> over a trace of plain completions (<c>--template raw</c>): a model's own greedy
/// continuations, recorded here, replayed with a draft model offline and forced; the draft-model variants need one.
/// </summary>
public sealed class ReplayWithDraftModelTests : IDisposable
{
    private const int Tokens = 40;
    private static readonly string[] Prompts = ["Once upon a time, there was a little girl named Lily.", "Tom had a big red ball. One day,", "The sun was hot and the dog"];
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>Writes the questions and stories260K's own greedy continuations of them, as FastChat files.</summary>
    private (string Questions, string Answers) RecordOwnContinuations()
    {
        using var model = LlamaModel.Load(TestPaths.Model("stories260K.gguf"), new ModelOptions { Threads = 2, CheckMode = ModelCheckMode.Managed });
        using var session = model.CreateSession();
        var questions = _temp.File("questions.jsonl");
        var answers = _temp.File("answers.jsonl");
        using (var questionWriter = new StreamWriter(questions))
        using (var answerWriter = new StreamWriter(answers))
        {
            for (var i = 0; i < Prompts.Length; i++)
            {
                var text = model.Detokenize([.. session.Generate(Prompts[i], new GenerationOptions { MaxTokens = Tokens }).Tokens], renderSpecial: false);
                questionWriter.WriteLine(JsonSerializer.Serialize(new { question_id = i + 1, category = "story", turns = new[] { Prompts[i] } }));
                answerWriter.WriteLine(JsonSerializer.Serialize(new { question_id = i + 1, choices = new[] { new { turns = new[] { text } } } }));
            }
        }

        return (questions, answers);
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
        var (questions, answers) = RecordOwnContinuations();
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

        // Its own continuation of the recorded text is the recorded text: every draft is accepted.
        Assert.Equal(100, Overall(simulated[1], "accept_percent"));
        Assert.True(Overall(simulated[1], "mean_accepted_tokens") > 4, simulated[1].ToString());
        Assert.True(Overall(simulated[2], "mean_accepted_tokens") >= Overall(simulated[1], "mean_accepted_tokens"));
        var measured = Variants(forced);
        Assert.Equal(["greedy", "draft-model-d4"], measured.Select(variant => variant.GetProperty("name").GetString()));
        Assert.Equal(Overall(simulated[1], "accepted"), Overall(measured[1], "accepted"));
        Assert.Equal(100, Overall(measured[1], "accept_percent"));
    }

    [ModelFact]
    public async Task A_draft_model_variant_needs_a_draft_model_and_another_vocabulary_is_refused()
    {
        var (questions, answers) = RecordOwnContinuations();
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
