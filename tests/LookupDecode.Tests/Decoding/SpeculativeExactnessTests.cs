using System.Collections.Concurrent;
using LookupDecode.Decoding;
using LookupDecode.Drafting;
using LookupDecode.Tests.Support;
using LookupDecode.Text;

namespace LookupDecode.Tests.Decoding;

/// <summary>
/// The product's promise: lookup decoding emits exactly the tokens plain decoding emits — for every model, every
/// fixture prompt, every draft length and every drafter, chains and token trees; and, when sampling, the same tokens as plain sampling
/// with the same seed.
/// </summary>
[Collection(SharedModelsCollection.Name)]
public sealed class SpeculativeExactnessTests(SharedModels models)
{
    private const int MaxTokens = 64;
    private static readonly ConcurrentDictionary<(string, string, float), IReadOnlyList<int>> PlainOutputs = new();

    public static TheoryData<string, string, int, string> Grid()
    {
        var data = new TheoryData<string, string, int, string>();
        foreach (var model in TestModelNames.All)
        {
            foreach (var prompt in PromptNames.All)
            {
                foreach (var draft in new[] { 1, 3, 10, 16 })
                {
                    data.Add(model, prompt, draft, "lookup");
                    data.Add(model, prompt, draft, "prompt-lookup");
                    data.Add(model, prompt, draft, "suffix");
                    data.Add(model, prompt, draft, "tree");
                }
            }
        }

        return data;
    }

    [ModelTheory, MemberData(nameof(Grid))]
    public void Lookup_tokens_equal_greedy_tokens(string model, string prompt, int draft, string mode)
    {
        var llama = models.Get(model);
        var text = PromptFile.ReadText(TestPaths.Prompt(prompt));
        if (!llama.Info.HasByteFallback && TryTokenize(llama, text) is null)
        {
            // A vocabulary without byte fallback cannot take this prompt: the typed error, not a dead test host.
            Assert.Throws<UnsupportedTextException>(() => llama.Tokenize(text));
            return;
        }

        var expected = Plain(model, prompt, SamplingOptions.Greedy);
        using var session = llama.CreateSession();

        var result = session.Generate(text, new GenerationOptions { Drafting = DraftingPresets.Get($"{mode}-d{draft}"), MaxTokens = MaxTokens });

        Assert.Equal(expected, result.Tokens);
        Assert.InRange(result.Statistics.AcceptedTokens, 0, result.Statistics.DraftedTokens);
        Assert.True(result.Statistics.DraftedTokens <= draft * result.Statistics.DecodeCalls);
    }

    public static TheoryData<string, string, int, string> SampledGrid()
    {
        var data = new TheoryData<string, string, int, string>();
        foreach (var (model, prompt) in new[]
                 {
                     (TestModelNames.TinyRandom, "story"), (TestModelNames.TinyRandom, "summarize-article"),
                     (TestModelNames.Stories260K, "tiny-once"), (TestModelNames.Stories260K, "qa-context"),
                     (TestModelNames.TinyStories656K, "tiny-ball"), (TestModelNames.TinyStories656K, "tiny-dog"),
                 })
        {
            foreach (var draft in new[] { 3, 10 })
            {
                data.Add(model, prompt, draft, "lookup");
                data.Add(model, prompt, draft, "prompt-lookup");
                data.Add(model, prompt, draft, "suffix");
                data.Add(model, prompt, draft, "tree");
            }
        }

        return data;
    }

    [ModelTheory, MemberData(nameof(SampledGrid))]
    public void Sampled_lookup_tokens_equal_plain_sampled_tokens_with_the_same_seed(string model, string prompt, int draft, string mode)
    {
        var sampling = new SamplingOptions { Temperature = 0.8f, Seed = 42 };
        var expected = Plain(model, prompt, sampling);
        using var session = models.Get(model).CreateSession();

        var result = session.Generate(PromptFile.ReadText(TestPaths.Prompt(prompt)),
            new GenerationOptions { Drafting = DraftingPresets.Get($"{mode}-d{draft}"), MaxTokens = MaxTokens, Sampling = sampling });

        Assert.Equal(expected, result.Tokens);
        Assert.NotEqual(Plain(model, prompt, SamplingOptions.Greedy), expected);
        if (session.Model.BatchLogitDifference() == 0)
        {
            Assert.Null(result.Statistics.DraftingFallback);
        }
        else
        {
            // Batched logits are not bit-identical here (F32 weights on this CPU): seed-exactness means plain sampling.
            Assert.Equal(0, result.Statistics.DraftedTokens);
            Assert.Contains("differ from single-token logits", result.Statistics.DraftingFallback, StringComparison.Ordinal);
        }
    }

    [ModelFact]
    public void Sampling_drafts_even_with_batch_sensitive_logits_when_seed_exactness_is_not_required()
    {
        // stories260K has F32 weights, whose batched logits differ slightly from single-token ones on this CPU.
        foreach (var model in new[] { TestModelNames.Stories260K })
        {
            using var session = models.Get(model).CreateSession();
            var options = new GenerationOptions
            {
                Drafting = DraftingPresets.Get("lookup-d10"),
                MaxTokens = MaxTokens,
                Sampling = new SamplingOptions { Temperature = 0.8f, Seed = 7, SeedExact = false },
            };

            var result = session.Generate(PromptFile.ReadText(TestPaths.Prompt("tiny-once")), options);

            Assert.Null(result.Statistics.DraftingFallback);
            Assert.True(result.Statistics.DraftedTokens > 0, $"{model} drafted nothing");
        }
    }

    [ModelFact]
    public void Batch_logit_difference_is_measured_once_and_is_zero_for_quantized_weights()
    {
        var model = models.Get(TestModelNames.TinyStories656K);

        var first = model.BatchLogitDifference();

        Assert.Equal(first, model.BatchLogitDifference());
        Assert.Equal(0f, first);
    }

    [ModelFact]
    public void Lookup_accepts_drafts_on_the_looping_model()
    {
        using var session = models.Get(TestModelNames.TinyRandom).CreateSession();

        var result = session.Generate(PromptFile.ReadText(TestPaths.Prompt("story")), new GenerationOptions { Drafting = DraftingPresets.Get("lookup-d10"), MaxTokens = MaxTokens });

        Assert.True(result.Statistics.AcceptedTokens > 20, $"accepted {result.Statistics.AcceptedTokens}");
        Assert.True(result.Statistics.DecodeCalls < MaxTokens - 20);
        Assert.True(result.Statistics.MeanAcceptLength > 1);
    }

    [ModelFact]
    public void Streamed_tokens_mark_accepted_drafts()
    {
        using var session = models.Get(TestModelNames.TinyRandom).CreateSession();
        var events = new List<TokenEvent>();

        var result = session.Generate(PromptFile.ReadText(TestPaths.Prompt("story")),
            new GenerationOptions { Drafting = DraftingPresets.Get("prompt-lookup-d10"), MaxTokens = MaxTokens }, events.Add);

        Assert.Equal(result.Statistics.AcceptedTokens, events.Count(e => e.WasDrafted));
        Assert.Equal(result.Text, string.Concat(events.Select(e => e.Text)));
    }

    private IReadOnlyList<int> Plain(string model, string prompt, SamplingOptions sampling)
        => PlainOutputs.GetOrAdd((model, prompt, sampling.Temperature), _ =>
        {
            using var session = models.Get(model).CreateSession();
            return session.Generate(PromptFile.ReadText(TestPaths.Prompt(prompt)), new GenerationOptions { MaxTokens = MaxTokens, Sampling = sampling }).Tokens;
        });

    private static int[]? TryTokenize(LookupDecode.Models.LlamaModel model, string text)
    {
        try
        {
            return model.Tokenize(text);
        }
        catch (UnsupportedTextException)
        {
            return null;
        }
    }
}
