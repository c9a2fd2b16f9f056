using LookupDecode.Decoding;
using LookupDecode.Tests.Support;
using LookupDecode.Text;

namespace LookupDecode.Tests.Decoding;

[Collection(SharedModelsCollection.Name)]
public sealed class GreedyDecodingTests(SharedModels models)
{
    /// <summary>Every (model, prompt) pair upstream recorded; all draft sizes printed the same text, so draft 3 stands for them.</summary>
    public static TheoryData<string> UpstreamRuns => new(UpstreamRun.Files("*.draft3.json").DefaultIfEmpty("none"));

    [ModelTheory, MemberData(nameof(UpstreamRuns))]
    public void Greedy_text_equals_upstream_llama_cpp(string fixture)
    {
        var run = UpstreamRun.Load(fixture);
        var model = models.Get(run.ModelName);
        using var session = model.CreateSession();
        var prompt = model.Tokenize(PromptFile.ReadText(TestPaths.Prompt(run.PromptName)));

        var result = session.Generate(prompt, new GenerationOptions { MaxTokens = (int)run.Predicted });

        Assert.Equal(run.PrintedText, model.Detokenize([.. prompt, .. result.Tokens]));
    }

    [ModelFact]
    public void Generation_stops_at_end_of_generation_token_and_includes_it()
    {
        var model = models.Get(TestModelNames.TinyStories656K);
        using var session = model.CreateSession();

        var result = session.Generate(PromptFile.ReadText(TestPaths.Prompt("tiny-once")), new GenerationOptions { MaxTokens = 400 });

        Assert.Equal(StopReason.EndOfGeneration, result.StopReason);
        Assert.True(model.IsEndOfGeneration(result.Tokens[^1]));
        Assert.DoesNotContain(result.Tokens.Take(result.Tokens.Count - 1), model.IsEndOfGeneration);
    }

    [ModelFact]
    public void Generation_stops_exactly_at_max_tokens()
    {
        var model = models.Get(TestModelNames.TinyRandom);
        using var session = model.CreateSession();

        var result = session.Generate("Once upon a time", new GenerationOptions { MaxTokens = 17 });

        Assert.Equal(StopReason.MaxTokens, result.StopReason);
        Assert.Equal(17, result.Tokens.Count);
        Assert.Equal(17, result.Statistics.GeneratedTokens);
        Assert.Equal(16, result.Statistics.DecodeCalls);
    }

    [ModelFact]
    public void Streamed_pieces_concatenate_to_the_result_text()
    {
        var model = models.Get(TestModelNames.TinyRandom);
        using var session = model.CreateSession();
        var pieces = new List<TokenEvent>();

        var result = session.Generate(PromptFile.ReadText(TestPaths.Prompt("summarize-article")), new GenerationOptions { MaxTokens = 64 }, pieces.Add);

        Assert.Equal(result.Text, string.Concat(pieces.Select(piece => piece.Text)));
        Assert.Equal(result.Tokens, pieces.Select(piece => piece.Token));
        Assert.Equal(Enumerable.Range(0, 64), pieces.Select(piece => piece.Index));
    }

    [ModelFact]
    public void Statistics_report_prompt_decode_and_memory_figures()
    {
        var model = models.Get(TestModelNames.Stories260K);
        using var session = model.CreateSession();

        var result = session.Generate("Once upon a time", new GenerationOptions { MaxTokens = 32 });

        var statistics = result.Statistics;
        Assert.Equal(model.Tokenize("Once upon a time").Length, statistics.PromptTokens);
        Assert.Equal(32, statistics.GeneratedTokens);
        Assert.True(statistics.TokensPerSecond > 0);
        Assert.True(statistics.PromptEvalTime > TimeSpan.Zero);
        Assert.True(statistics.PeakMemoryBytes > 10 << 20, $"peak RSS {statistics.PeakMemoryBytes} bytes is implausibly small");
        Assert.Equal(0, statistics.DraftedTokens);
    }

    [ModelFact]
    public void Prompt_longer_than_the_context_is_refused_before_decoding()
    {
        using var model = LookupDecode.Models.LlamaModel.Load(
            TestPaths.Model(TestModelNames.FileOf(TestModelNames.Stories260K)), new LookupDecode.Models.ModelOptions { ContextSize = 32, BatchSize = 32 });
        using var session = model.CreateSession();
        var prompt = PromptFile.ReadText(TestPaths.Prompt("summarize-article"));

        var error = Assert.Throws<PromptTooLongException>(() => session.Generate(prompt));

        Assert.Equal(32, error.ContextSize);
        Assert.True(error.PromptTokens > 32);
    }

    [ModelFact]
    public void Generation_stops_when_the_context_is_full()
    {
        using var model = LookupDecode.Models.LlamaModel.Load(
            TestPaths.Model(TestModelNames.FileOf(TestModelNames.TinyRandom)), new LookupDecode.Models.ModelOptions { ContextSize = 32, BatchSize = 32 });
        using var session = model.CreateSession();
        var prompt = model.Tokenize("Once upon a time");

        var result = session.Generate(prompt, new GenerationOptions { MaxTokens = 100 });

        Assert.Equal(StopReason.ContextFull, result.StopReason);
        Assert.Equal(32 - prompt.Length + 1, result.Tokens.Count);
    }
}
