using System.Collections.Concurrent;
using LookupDecode.Calibration;
using LookupDecode.Decoding;
using LookupDecode.Drafting;
using LookupDecode.Tests.Support;
using LookupDecode.Text;

namespace LookupDecode.Tests.Decoding;

/// <summary>
/// Many requests in one context: every request's output equals its own solo generation, token for token, whatever else
/// runs beside it, joins, leaves or is cancelled, for every kind of plan and both KV layouts.
/// </summary>
[Collection(SharedModelsCollection.Name)]
public sealed class DecodingEngineTests(SharedModels models)
{
    private const int MaxTokens = 48;
    private static readonly ConcurrentDictionary<(string Model, string Prompt, int MaxTokens), IReadOnlyList<int>> Solo = new();

    public static TheoryData<string, string, int, KvLayout> Grid()
    {
        var data = new TheoryData<string, string, int, KvLayout>();
        foreach (var model in new[] { TestModelNames.TinyRandom, TestModelNames.Stories260K })
        {
            foreach (var mode in new[] { "greedy", "lookup", "prompt-lookup", "auto", "suffix" })
            {
                data.Add(model, mode, 4, KvLayout.PerSequence);
                data.Add(model, mode, 3, KvLayout.Unified);
            }

            data.Add(model, "auto", 1, KvLayout.PerSequence);
        }

        return data;
    }

    [ModelTheory, MemberData(nameof(Grid))]
    public async Task Every_request_equals_its_solo_generation(string model, string mode, int sequences, KvLayout layout)
    {
        var llama = models.Get(model);
        using var engine = llama.CreateEngine(new EngineOptions { Sequences = sequences, KvLayout = layout });
        var prompts = PromptsOf(model);

        // More requests than sequences, of different lengths: they wait, join and leave while others run.
        var runs = prompts.Select((prompt, i) => engine.GenerateAsync(llama.Tokenize(prompt.Text), Options(mode, MaxTokens - (5 * (i % 3))))).ToArray();
        var results = await Task.WhenAll(runs);

        for (var i = 0; i < prompts.Length; i++)
        {
            Assert.Equal(SoloTokens(model, prompts[i], MaxTokens - (5 * (i % 3))), results[i].Tokens);
            Assert.InRange(results[i].Statistics.AcceptedTokens, 0, results[i].Statistics.DraftedTokens);
        }

        var counters = engine.Counters;
        Assert.Equal(results.Sum(result => (long)result.Tokens.Count), counters.EmittedTokens);
        Assert.True(counters.Steps < counters.EmittedTokens, $"{counters.Steps} steps for {counters.EmittedTokens} tokens: sequences did not share steps");
    }

    [ModelFact]
    public async Task A_long_prompt_joins_in_chunks_while_the_others_run_and_changes_nothing()
    {
        var llama = models.Get(TestModelNames.Stories260K);
        using var engine = llama.CreateEngine(new EngineOptions { Sequences = 3, StepTokens = 8 });
        var prompts = PromptsOf(TestModelNames.Stories260K);

        var runs = prompts.Take(3).Select(prompt => engine.GenerateAsync(llama.Tokenize(prompt.Text), Options("auto", MaxTokens))).ToArray();
        var results = await Task.WhenAll(runs);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(SoloTokens(TestModelNames.Stories260K, prompts[i], MaxTokens), results[i].Tokens);
        }
    }

    [ModelFact]
    public async Task Cancelling_one_request_frees_its_sequence_and_disturbs_no_other()
    {
        var llama = models.Get(TestModelNames.TinyRandom);
        using var engine = llama.CreateEngine(new EngineOptions { Sequences = 2 });
        var prompts = PromptsOf(TestModelNames.TinyRandom);
        using var cancel = new CancellationTokenSource();
        var seen = 0;

        var cancelled = engine.GenerateAsync(llama.Tokenize(prompts[0].Text), Options("lookup", 400), token =>
        {
            if (Interlocked.Increment(ref seen) == 10)
            {
                cancel.Cancel();
            }
        }, cancel.Token);
        var kept = engine.GenerateAsync(llama.Tokenize(prompts[1].Text), Options("lookup", MaxTokens));
        var next = engine.GenerateAsync(llama.Tokenize(prompts[2].Text), Options("lookup", MaxTokens));

        var exception = await Assert.ThrowsAsync<GenerationCanceledException>(() => cancelled);
        var partial = exception.PartialResult.Tokens;
        Assert.Equal(StopReason.Cancelled, exception.PartialResult.StopReason);
        Assert.InRange(partial.Count, 10, 10 + GenerationOptions.MaxDraftLength);
        Assert.Equal(SoloTokens(TestModelNames.TinyRandom, prompts[0], 400).Take(partial.Count), partial);
        Assert.Equal(SoloTokens(TestModelNames.TinyRandom, prompts[1], MaxTokens), (await kept).Tokens);
        Assert.Equal(SoloTokens(TestModelNames.TinyRandom, prompts[2], MaxTokens), (await next).Tokens);
        Assert.Equal(0, engine.Running);
    }

    [ModelFact]
    public async Task A_request_cancelled_while_it_waits_never_runs()
    {
        var llama = models.Get(TestModelNames.Stories260K);
        using var engine = llama.CreateEngine(new EngineOptions { Sequences = 1 });
        using var cancel = new CancellationTokenSource();
        var first = engine.GenerateAsync(llama.Tokenize("Once upon a time"), Options("greedy", 200));
        var waiting = engine.GenerateAsync(llama.Tokenize("The dog"), Options("greedy", 20), cancellationToken: cancel.Token);

        await cancel.CancelAsync();

        var exception = await Assert.ThrowsAsync<GenerationCanceledException>(() => waiting);
        Assert.Empty(exception.PartialResult.Tokens);
        Assert.Equal(200, (await first).Tokens.Count);
    }

    [ModelFact]
    public async Task A_full_waiting_line_refuses_at_once_and_loses_nothing()
    {
        var llama = models.Get(TestModelNames.Stories260K);
        using var engine = llama.CreateEngine(new EngineOptions { Sequences = 1, MaxWaiting = 1 });
        var prompt = llama.Tokenize("Once upon a time");
        var running = engine.GenerateAsync(prompt, Options("greedy", 100));
        var waiting = engine.GenerateAsync(prompt, Options("greedy", 10));

        Assert.Throws<EngineFullException>(() => { _ = engine.GenerateAsync(prompt, Options("greedy", 10)); });

        Assert.Equal(100, (await running).Tokens.Count);
        Assert.Equal(10, (await waiting).Tokens.Count);
        Assert.Equal(0, engine.Waiting);
    }

    [ModelFact]
    public async Task A_sequence_that_fills_its_context_stops_alone()
    {
        using var llama = LookupDecode.Models.LlamaModel.Load(
            TestPaths.Model(TestModelNames.FileOf(TestModelNames.TinyRandom)), SharedModels.OptionsFor(TestModelNames.TinyRandom) with { ContextSize = 64 });
        using var engine = llama.CreateEngine(new EngineOptions { Sequences = 2 });
        var shortRun = engine.GenerateAsync(llama.Tokenize("Once"), Options("lookup", 20));
        var longRun = engine.GenerateAsync(llama.Tokenize("Once upon a time"), Options("lookup", 500));

        var full = await longRun;
        Assert.Equal(StopReason.ContextFull, full.StopReason);
        using (var session = llama.CreateSession())
        {
            Assert.Equal(session.Generate("Once upon a time", Options("greedy", 500)).Tokens, full.Tokens);
        }

        Assert.Equal(20, (await shortRun).Tokens.Count);
    }

    [ModelFact]
    public void Bad_requests_are_refused_before_they_are_queued()
    {
        var llama = models.Get(TestModelNames.Stories260K);
        using var engine = llama.CreateEngine(new EngineOptions { Sequences = 1 });

        Assert.Throws<LookupDecode.Models.InvalidOptionException>(() => { _ = engine.GenerateAsync([], Options("greedy", 4)); });
        Assert.Throws<LookupDecode.Models.InvalidOptionException>(() => { _ = engine.GenerateAsync([1, 1 << 20], Options("greedy", 4)); });
        Assert.Throws<PromptTooLongException>(() => { _ = engine.GenerateAsync(new int[engine.ContextSize], Options("greedy", 4)); });
        Assert.Equal(0, engine.Waiting);
    }

    [ModelFact]
    public void Engine_options_out_of_range_are_refused()
    {
        var llama = models.Get(TestModelNames.Stories260K);

        Assert.Throws<LookupDecode.Models.InvalidOptionException>(() => llama.CreateEngine(new EngineOptions { Sequences = 0 }));
        Assert.Throws<LookupDecode.Models.InvalidOptionException>(() => llama.CreateEngine(new EngineOptions { Sequences = EngineOptions.MaxSequences + 1 }));
        Assert.Throws<LookupDecode.Models.InvalidOptionException>(() => llama.CreateEngine(new EngineOptions { Sequences = 8, StepTokens = 4 }));
    }

    private static (string Name, string Text)[] PromptsOf(string model)
        => PromptNames.All.Select(name => (name, PromptFile.ReadText(TestPaths.Prompt(name)))).ToArray();

    private static GenerationOptions Options(string mode, int maxTokens) => new()
    {
        Drafting = DraftingPresets.Get(mode),
        MaxTokens = maxTokens,
        // A fixed curve: the test is about exactness, not this machine's timings.
        Adaptive = new AdaptiveDraftingOptions { CostCurve = CostModel.Flat(17).Curve },
    };

    /// <summary>Plain greedy decoding of the prompt alone in a session: what every engine run must give, whatever its preset.</summary>
    private IReadOnlyList<int> SoloTokens(string model, (string Name, string Text) prompt, int maxTokens)
        => Solo.GetOrAdd((model, prompt.Name, maxTokens), _ =>
        {
            using var session = models.Get(model).CreateSession();
            return session.Generate(prompt.Text, Options("greedy", maxTokens)).Tokens;
        });
}
