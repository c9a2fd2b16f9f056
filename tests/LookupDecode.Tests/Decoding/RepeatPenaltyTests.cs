using LookupDecode.Decoding;
using LookupDecode.Drafting;
using LookupDecode.Tests.Support;
using LookupDecode.Text;

namespace LookupDecode.Tests.Decoding;

/// <summary>llama.cpp's repeat penalty: it changes what greedy emits, and drafting stays token-identical under it.</summary>
[Collection(SharedModelsCollection.Name)]
public sealed class RepeatPenaltyTests(SharedModels models)
{
    public static TheoryData<string, string> Cases => new()
    {
        { "tiny-once", "lookup-d3" },
        { "tiny-dog", "prompt-lookup-d10" },
        { "tiny-ball", "llama-lookup" },
    };

    [ModelTheory, MemberData(nameof(Cases))]
    public void Drafting_under_a_repeat_penalty_equals_plain_decoding_under_it(string prompt, string preset)
    {
        // TinyStories-656K has quantized weights: batched logits are bit-identical to single-token ones.
        using var session = models.Get(TestModelNames.TinyStories656K).CreateSession();
        var text = PromptFile.ReadText(TestPaths.Prompt(prompt));
        var penalty = new SamplingOptions { RepeatPenalty = 1.3f, RepeatLastN = 32 };

        var plain = session.Generate(text, new GenerationOptions { MaxTokens = 96, Sampling = penalty });
        var drafted = session.Generate(text, new GenerationOptions { MaxTokens = 96, Sampling = penalty, Drafting = DraftingPresets.Get(preset) });
        var unpenalized = session.Generate(text, new GenerationOptions { MaxTokens = 96 });

        Assert.Equal(plain.Tokens, drafted.Tokens);
        Assert.NotEqual(unpenalized.Tokens, plain.Tokens);
    }

    [Theory]
    [InlineData(0f, 64)]
    [InlineData(float.NaN, 64)]
    [InlineData(11f, 64)]
    [InlineData(1.1f, -1)]
    public void Out_of_range_penalty_settings_are_invalid_options(float penalty, int lastN)
    {
        Assert.Throws<LookupDecode.Models.InvalidOptionException>(() => new SamplingOptions { RepeatPenalty = penalty, RepeatLastN = lastN }.Validate());
    }
}
