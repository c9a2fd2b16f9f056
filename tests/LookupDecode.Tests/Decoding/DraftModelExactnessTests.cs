using LookupDecode.Decoding;
using LookupDecode.Drafting;
using LookupDecode.Drafting.DraftModel;
using LookupDecode.Models;
using LookupDecode.Tests.Support;
using LookupDecode.Text;

namespace LookupDecode.Tests.Decoding;

/// <summary>
/// Draft-model speculative decoding: output token-identical to greedy whatever the draft model proposes — itself (every
/// draft right), or another model of the same vocabulary (drafts mostly wrong, rolled back); mismatched vocabularies refused.
/// </summary>
[Collection(SharedModelsCollection.Name)]
public sealed class DraftModelExactnessTests(SharedModels models)
{
    private const int MaxTokens = 48;

    /// <summary>Draft sizes of the grid; 0 is <c>draft-model-auto</c> (no floor, a flat cost curve so that it drafts).</summary>
    public static TheoryData<string, string, string, int> Grid()
    {
        var data = new TheoryData<string, string, string, int>();
        foreach (var prompt in new[] { "story", "summarize-article", "qa-context", "tiny-once" })
        {
            foreach (var draft in new[] { 0, 3, 16 })
            {
                data.Add(TestModelNames.Stories260K, TestModelNames.Stories260K, prompt, draft);
                data.Add(TestModelNames.TinyRandom, TestModelNames.TinyRandom, prompt, draft);
            }
        }

        return data;
    }

    [ModelTheory, MemberData(nameof(Grid))]
    public void Draft_model_tokens_equal_greedy_tokens(string target, string draftModel, string prompt, int draft)
    {
        var llama = models.Get(target);
        var text = PromptFile.ReadText(TestPaths.Prompt(prompt));
        using var plainSession = llama.CreateSession();
        var expected = plainSession.Generate(text, new GenerationOptions { MaxTokens = MaxTokens }).Tokens;
        using var session = llama.CreateSession();

        var result = session.Generate(text, draft == 0
            ? new GenerationOptions
            {
                MaxTokens = MaxTokens,
                Drafting = DraftingPresets.Get("draft-model-auto"),
                Adaptive = new AdaptiveDraftingOptions { CostCurve = LookupDecode.Calibration.DecodeCostCurve.Flat(17) },
                DraftModel = new DraftModelOptions { Model = models.Get(draftModel) },
            }
            : new GenerationOptions
            {
                MaxTokens = MaxTokens,
                Drafting = DraftingPresets.Get($"draft-model-d{draft}"),
                DraftModel = new DraftModelOptions { Model = models.Get(draftModel), MinProbability = 0 },
            });

        Assert.Equal(expected, result.Tokens);
        Assert.True(result.Statistics.DraftedTokens > 0);
        // A model drafting for itself is right but where its drafting context's attention (no flash attention on narrow
        // F16 heads) rounds a near-tie the other way than the target's.
        Assert.True(result.Statistics.AcceptedTokens >= 0.95 * result.Statistics.DraftedTokens, $"{result.Statistics.AcceptedTokens} of {result.Statistics.DraftedTokens}");
    }

    [ModelFact]
    public void A_draft_model_that_disagrees_is_rolled_back_and_output_is_unchanged()
    {
        var llama = models.Get(TestModelNames.Stories260K);
        var text = PromptFile.ReadText(TestPaths.Prompt("story"));
        using var plainSession = llama.CreateSession();
        var expected = plainSession.Generate(text, new GenerationOptions { MaxTokens = MaxTokens }).Tokens;

        // The same model under a different floor is still itself; a stand-in that disagrees is the same vocabulary with
        // scrambled weights: written as a copy whose output weights are reversed.
        using var temp = new TempDirectory();
        var scrambled = temp.File("scrambled.gguf");
        GgufRewrite.Copy(TestPaths.Model("stories260K.gguf"), scrambled, editTensor: (tensor, bytes) =>
        {
            if (tensor.Name == "token_embd.weight")
            {
                System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes.AsSpan()).Reverse();
            }

            return bytes;
        });
        using var disagreeing = LlamaModel.Load(scrambled, SharedModels.OptionsFor(TestModelNames.Stories260K) with { CheckMode = ModelCheckMode.Managed });
        using var session = llama.CreateSession();

        var result = session.Generate(text, new GenerationOptions
        {
            MaxTokens = MaxTokens,
            Drafting = DraftingPresets.Get("draft-model-d4"),
            DraftModel = new DraftModelOptions { Model = disagreeing, MinProbability = 0 },
        });

        Assert.Equal(expected, result.Tokens);
        Assert.True(result.Statistics.DraftedTokens > result.Statistics.AcceptedTokens);

        // Adaptive, no floor, a flat curve: it verifies the disagreeing drafts it is told are likely, and stays exact.
        var adaptive = session.Generate(text, new GenerationOptions
        {
            MaxTokens = MaxTokens,
            Drafting = DraftingPresets.Get("draft-model-auto"),
            Adaptive = new AdaptiveDraftingOptions { CostCurve = LookupDecode.Calibration.DecodeCostCurve.Flat(17) },
            DraftModel = new DraftModelOptions { Model = disagreeing },
        });
        Assert.Equal(expected, adaptive.Tokens);
        Assert.True(adaptive.Statistics.DraftedTokens > adaptive.Statistics.AcceptedTokens);
    }

    [ModelFact]
    public void A_draft_model_of_another_vocabulary_is_refused_before_generating()
    {
        var llama = models.Get(TestModelNames.Stories260K);
        using var session = llama.CreateSession();

        var error = Assert.Throws<VocabularyMismatchException>(() => session.Generate("Once upon a time", new GenerationOptions
        {
            MaxTokens = 4,
            Drafting = DraftingPresets.Get("draft-model"),
            DraftModel = new DraftModelOptions { Model = models.Get(TestModelNames.TinyStories656K) },
        }));

        Assert.Contains("512 and 2048", error.Difference, StringComparison.Ordinal);
    }

    [ModelFact]
    public void Under_adaptive_planning_an_unset_floor_lets_the_draft_model_draft_past_llama_cpps_floor()
    {
        var llama = models.Get(TestModelNames.Stories260K);
        var prompt = llama.Tokenize(PromptFile.ReadText(TestPaths.Prompt("story")));
        var options = new DraftModelOptions { Model = llama };
        using var fixedLength = new DraftModelDrafter(options, llama.IsEndOfGeneration, adaptive: false);
        using var adaptive = new DraftModelDrafter(options, llama.IsEndOfGeneration, adaptive: true);
        using var adaptiveWithFloor = new DraftModelDrafter(options with { MinProbability = 0.75 }, llama.IsEndOfGeneration, adaptive: true);
        var longer = 0;
        for (var cut = prompt.Length - 40; cut <= prompt.Length; cut += 4)
        {
            var history = prompt.AsSpan(0, cut);
            var (fixedDraft, adaptiveDraft, flooredDraft) = (new int[16], new int[16], new int[16]);
            foreach (var drafter in new[] { fixedLength, adaptive, adaptiveWithFloor })
            {
                drafter.Begin(history);
            }

            var fixedCount = fixedLength.Propose(history, fixedDraft);
            var adaptiveCount = adaptive.Propose(history, adaptiveDraft);

            // The same greedy chain, cut at the floor or not; a floor that is set holds under adaptive planning too.
            Assert.Equal(fixedDraft.AsSpan(0, fixedCount), adaptiveDraft.AsSpan(0, fixedCount));
            Assert.Equal(fixedCount, adaptiveWithFloor.Propose(history, flooredDraft));
            longer += adaptiveCount > fixedCount ? 1 : 0;
        }

        Assert.True(longer > 0, "no draft went past the floor");
    }

    [ModelFact]
    public void A_draft_stops_at_the_token_whose_estimated_chance_of_being_reached_falls_below_the_bar()
    {
        var llama = models.Get(TestModelNames.Stories260K);
        var prompt = llama.Tokenize(PromptFile.ReadText(TestPaths.Prompt("story")));
        using var drafter = new DraftModelDrafter(new DraftModelOptions { Model = llama }, llama.IsEndOfGeneration, adaptive: true);
        var (draft, evidence) = (new int[16], new int[16]);

        drafter.Begin(prompt);
        var unlimited = drafter.Propose(prompt, draft, evidence);
        double[] bars = [.. Enumerable.Repeat(0.3, 16)];
        drafter.StopWhenUnlikely(_ => 0.5, bars);
        var stopped = drafter.Propose(prompt, draft, evidence);
        drafter.StopWhenUnlikely(_ => 0.5, [0.3]);
        var barredFirstOnly = drafter.Propose(prompt, draft, evidence);
        drafter.StopWhenUnlikely(null, bars);
        var again = drafter.Propose(prompt, draft, evidence);

        // 0.5, then 0.25 < 0.3: the second token is proposed (it is already computed) and nothing after it is decoded;
        // past the bars' end nothing stops it; without estimates neither.
        Assert.Equal(16, unlimited);
        Assert.Equal(2, stopped);
        Assert.Equal(16, barredFirstOnly);
        Assert.Equal(16, again);
    }

    [ModelFact]
    public void The_draft_model_preset_without_a_draft_model_is_a_typed_error()
    {
        using var session = models.Get(TestModelNames.Stories260K).CreateSession();

        Assert.Throws<InvalidOptionException>(() => session.Generate("Once upon a time", new GenerationOptions
        {
            MaxTokens = 4,
            Drafting = DraftingPresets.Get("draft-model"),
        }));
    }
}

[Collection(SharedModelsCollection.Name)]
public sealed class DraftModelInAutoTests(SharedModels models)
{
    [ModelFact]
    public void Auto_drafts_with_a_given_draft_model_and_stays_token_identical()
    {
        var llama = models.Get(TestModelNames.Stories260K);
        var text = PromptFile.ReadText(TestPaths.Prompt("story"));
        using var session = llama.CreateSession();
        var expected = session.Generate(text, new GenerationOptions { MaxTokens = 48 }).Tokens;
        var options = new GenerationOptions
        {
            MaxTokens = 48,
            Drafting = DraftingPresets.Get("auto"),
            Adaptive = new AdaptiveDraftingOptions { CostCurve = LookupDecode.Calibration.DecodeCostCurve.Flat(17) },
            DraftModel = new DraftModelOptions { Model = llama, MinProbability = 0 },
        };

        var result = session.Generate(text, options);

        Assert.Equal(expected, result.Tokens);
        var statistics = result.Statistics;
        Assert.InRange(statistics.DrafterDecodeTime, TimeSpan.FromTicks(1), statistics.DraftTime);
        Assert.Equal((statistics.DecodeTime - statistics.NativeDecodeTime - statistics.DrafterDecodeTime) / statistics.NativeDecodeTime, statistics.ManagedOverheadShare, 1e-9);
        Assert.True(DraftingPresets.Get("auto").UsesDraftModel(draftModelGiven: true));
        Assert.False(DraftingPresets.Get("auto").UsesDraftModel(draftModelGiven: false));
        Assert.False(DraftingPresets.Get("lookup").UsesDraftModel(draftModelGiven: true));

        // A model drafting for itself is always right: with it, auto accepts far more than without it.
        var without = session.Generate(text, options with { DraftModel = new DraftModelOptions() });
        Assert.True(result.Statistics.AcceptedTokens > without.Statistics.AcceptedTokens + 10, $"{result.Statistics.AcceptedTokens} vs {without.Statistics.AcceptedTokens}");
    }
}
