using LookupDecode.Drafting;
using System.Collections.Concurrent;
using LookupDecode.Calibration;
using LookupDecode.Decoding;
using LookupDecode.Tests.Support;
using LookupDecode.Text;

namespace LookupDecode.Tests.Decoding;

/// <summary>Adaptive drafting chooses how many drafts to verify; whatever it chooses, the output is greedy's.</summary>
[Collection(SharedModelsCollection.Name)]
public sealed class AdaptiveDraftingTests(SharedModels models)
{
    private const int MaxTokens = 64;
    private static readonly ConcurrentDictionary<(string, string), IReadOnlyList<int>> Greedy = new();

    public static TheoryData<string, string, string, string> Grid()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var model in TestModelNames.All)
        {
            foreach (var prompt in PromptNames.All)
            {
                data.Add(model, prompt, "auto", "flat");
                data.Add(model, prompt, "auto", "cpu");
                data.Add(model, prompt, "lookup", "flat");
                data.Add(model, prompt, "prompt-lookup", "flat");
            }
        }

        return data;
    }

    [ModelTheory, MemberData(nameof(Grid))]
    public void Adaptive_tokens_equal_greedy_tokens(string model, string prompt, string mode, string cost)
    {
        var llama = models.Get(model);
        var text = PromptFile.ReadText(TestPaths.Prompt(prompt));
        if (!llama.CanEncode(text))
        {
            return; // covered by the exactness grid: the typed error
        }

        using var session = llama.CreateSession();
        var result = session.Generate(text, Options(mode, cost == "flat" ? CostModel.Flat(17) : CpuLike()));

        Assert.Equal(PlainGreedy(model, prompt), result.Tokens);
        Assert.InRange(result.Statistics.AcceptedTokens, 0, result.Statistics.DraftedTokens);
    }

    [ModelFact]
    public void On_a_flat_cost_curve_the_looping_model_gets_long_drafts()
    {
        using var session = models.Get(TestModelNames.TinyRandom).CreateSession();

        var prompt = PromptFile.ReadText(TestPaths.Prompt("story"));
        var fixedLongest = session.Generate(prompt, new GenerationOptions { Drafting = DraftingPresets.Get("lookup-d16"), MaxTokens = MaxTokens });

        var result = session.Generate(prompt, Options("auto", CostModel.Flat(17)));

        // The loop starts after ~28 tokens; from then on every step verifies a long draft, as the longest fixed draft does.
        var statistics = result.Statistics;
        Assert.True(statistics.MeanAcceptLength > 3 && statistics.DecodeCalls <= fixedLongest.Statistics.DecodeCalls,
            $"mean accept length {statistics.MeanAcceptLength}, {statistics.DecodeCalls} decode calls, {statistics.AcceptedTokens}/{statistics.DraftedTokens} accepted in {statistics.VerifySteps} verify steps");
    }

    [ModelFact]
    public void On_an_expensive_cost_curve_a_text_without_repetition_gets_few_drafts()
    {
        using var session = models.Get(TestModelNames.Stories260K).CreateSession();
        var expensive = CostModel.FromRelativeCosts(Enumerable.Range(1, 17).Select(k => (double)k).ToArray());

        var result = session.Generate(PromptFile.ReadText(TestPaths.Prompt("qa-context")), Options("auto", expensive));

        // With T(k) = k a draft only pays if it is certain: the model's real acceptance here is near zero.
        Assert.True(result.Statistics.DraftedTokens <= 10, $"drafted {result.Statistics.DraftedTokens}");
    }

    [ModelFact]
    public void Without_a_cost_model_the_first_adaptive_run_calibrates_and_stores_the_curve_once()
    {
        using var temp = new TempDirectory();
        var model = models.Get(TestModelNames.Stories260K);
        var options = new GenerationOptions
        {
            Drafting = DraftingPresets.Get("auto").WithAdaptiveLength(8),
            MaxTokens = 16,
            Adaptive = new AdaptiveDraftingOptions { CostModelDirectory = temp.Path },
        };

        using (var session = model.CreateSession())
        {
            session.Generate("Once upon a time", options);
        }

        var stored = Assert.Single(Directory.GetFiles(temp.Path, "*.json"));
        var written = File.GetLastWriteTimeUtc(stored);
        using (var session = model.CreateSession())
        {
            session.Generate("Once upon a time", options);
        }

        Assert.Equal(written, File.GetLastWriteTimeUtc(stored));
        Assert.True(CostModelStore.TryLoad(stored)!.Points.Max(point => point.BatchSize) >= 9);
    }

    private static GenerationOptions Options(string preset, CostModel cost) => new()
    {
        Drafting = DraftingPresets.Get(preset).WithAdaptiveLength(16),
        MaxTokens = MaxTokens,
        Adaptive = new AdaptiveDraftingOptions { CostCurve = cost.Curve },
    };

    /// <summary>This machine's 1B Q4_0 curve (issue 7), as a CPU-like what-if.</summary>
    private static CostModel CpuLike() => CostModel.FromRelativeCosts(
        [1.0, 1.56, 2.38, 2.30, 2.90, 3.25, 3.60, 3.95, 4.72, 5.49, 6.26, 6.38, 6.50, 6.62, 6.74, 6.86, 7.2]);

    private IReadOnlyList<int> PlainGreedy(string model, string prompt) => Greedy.GetOrAdd((model, prompt), _ =>
    {
        using var session = models.Get(model).CreateSession();
        return session.Generate(PromptFile.ReadText(TestPaths.Prompt(prompt)), new GenerationOptions { MaxTokens = MaxTokens }).Tokens;
    });
}
