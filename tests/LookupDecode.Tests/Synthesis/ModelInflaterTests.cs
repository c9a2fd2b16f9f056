using LookupDecode.Decoding;
using LookupDecode.Gguf;
using LookupDecode.Models;
using LookupDecode.Synthesis;
using LookupDecode.Tests.Support;
using LookupDecode.Text;

namespace LookupDecode.Tests.Synthesis;

/// <summary>
/// An inflated model computes the small model's function: its logits match within floating-point noise and its greedy
/// text matches. Small custom shapes keep this fast; the llama-1b inflation is exercised by the benchmark.
/// </summary>
[Collection(SharedModelsCollection.Name)]
public sealed class ModelInflaterTests(SharedModels models) : IDisposable
{
    private static readonly string[] StoryPrompts = ["tiny-once", "tiny-dog", "tiny-ball", "story", "open-ended", "qa-context", "summarize-article", "code-edit"];
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string, GgmlType, float> Shapes => new()
    {
        // Same heads (m = 2: 8 → 16 wide), two extra dead layers.
        { "wider-heads", GgmlType.F32, 0.05f },
        // Twice the heads per KV head (GQA 2 → 4), 4 extra dead layers, F16 weights.
        { "more-heads", GgmlType.F16, 0.05f },
    };

    [ModelTheory, MemberData(nameof(Shapes))]
    public void Inflated_model_matches_the_small_models_logits_and_greedy_text(string shapeName, GgmlType type, float tolerance)
    {
        var shape = ShapeFor(shapeName);
        var path = _temp.File($"inflated-{shapeName}.gguf");
        var small = models.Get(TestModelNames.Stories260K);

        var written = ModelInflater.Inflate(small.Path, path, shape, type);

        Assert.Equal(512, written.VocabularySize);
        using var big = LlamaModel.Load(path, SharedModels.OptionsFor(TestModelNames.Stories260K));
        Assert.Equal(shape.EmbeddingSize, big.Info.EmbeddingSize);
        Assert.Equal(shape.LayerCount, big.Info.LayerCount);
        using var smallSession = small.CreateSession();
        using var bigSession = big.CreateSession();
        var matchingTexts = 0;
        foreach (var prompt in StoryPrompts)
        {
            var tokens = small.Tokenize(PromptFile.ReadText(TestPaths.Prompt(prompt)));
            var difference = MaxDifference(LastLogits(smallSession, tokens), LastLogits(bigSession, tokens));
            Assert.True(difference <= tolerance, $"{prompt}: logits differ by {difference}");
            var options = new GenerationOptions { MaxTokens = 48 };
            matchingTexts += smallSession.Generate(tokens, options).Tokens.SequenceEqual(bigSession.Generate(tokens, options).Tokens) ? 1 : 0;
        }

        Assert.True(matchingTexts >= StoryPrompts.Length - 1, $"greedy text matched on {matchingTexts} of {StoryPrompts.Length} prompts");
    }

    [ModelFact]
    public void Quantized_inflation_loads_and_writes_story_text()
    {
        var path = _temp.File("inflated-q4_0.gguf");

        ModelInflater.Inflate(models.Get(TestModelNames.Stories260K).Path, path, ShapeFor("wider-heads"), GgmlType.Q4_0);

        Assert.Contains(GgufReader.Read(path).Tensors, tensor => tensor.Type == GgmlType.Q4_0);
        using var model = LlamaModel.Load(path, new ModelOptions { ContextSize = 256, Threads = 2 });
        using var session = model.CreateSession();
        var result = session.Generate("Once upon a time", new GenerationOptions { MaxTokens = 24 });
        Assert.Equal(24, result.Tokens.Count);
    }

    [ModelTheory]
    [InlineData(60, 8, 4)]   // narrower than the small model
    [InlineData(160, 8, 4)]  // head width 20 is not a multiple of 8
    [InlineData(128, 8, 8)]  // fewer query heads per KV head than the small model
    public void Shapes_that_cannot_hold_the_small_model_are_refused(int embedding, int heads, int kvHeads)
    {
        var shape = ShapeFor("wider-heads") with { EmbeddingSize = embedding, HeadCount = heads, KvHeadCount = kvHeads };

        Assert.Throws<InvalidOptionException>(() => ModelInflater.Inflate(models.Get(TestModelNames.Stories260K).Path, _temp.File("never.gguf"), shape, GgmlType.F32));
        Assert.False(File.Exists(_temp.File("never.gguf")));
    }

    private static ModelShape ShapeFor(string name) => name switch
    {
        "wider-heads" => new ModelShape { Name = name, EmbeddingSize = 128, HeadCount = 8, KvHeadCount = 4, LayerCount = 7, FeedForwardSize = 256, VocabularySize = 512 },
        _ => new ModelShape { Name = name, EmbeddingSize = 256, HeadCount = 16, KvHeadCount = 4, LayerCount = 9, FeedForwardSize = 512, VocabularySize = 512 },
    };

    private static float[] LastLogits(GenerationSession session, int[] tokens)
    {
        var context = session.Context;
        context.Clear();
        context.Decode(tokens, 0, logitsForAll: false);
        var logits = context.Logits(tokens.Length - 1).ToArray();
        context.Clear();
        return logits;
    }

    private static float MaxDifference(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max();
}
