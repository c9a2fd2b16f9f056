using LookupDecode.Decoding;
using LookupDecode.Gguf;
using LookupDecode.Models;
using LookupDecode.Synthesis;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Synthesis;

public sealed class SyntheticModelTests : IDisposable
{
    private static readonly ModelShape Small = ModelShape.Tiny with { LayerCount = 2, VocabularySize = 1024 };
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(GgmlType.F16)]
    [InlineData(GgmlType.Q8_0)]
    [InlineData(GgmlType.Q4_0)]
    public void Synthetic_model_passes_the_gate_loads_and_generates(GgmlType type)
    {
        var path = _temp.File($"synthetic-{type}.gguf");

        SyntheticModelWriter.Write(path, Small, type, seed: 7);

        var file = GgufReader.Read(path);
        Assert.Equal("llama", file.Architecture);
        Assert.Equal(Small.LayerCount, file.GetInt64("llama.block_count"));
        Assert.Contains(file.Tensors, tensor => tensor.Name == "blk.0.attn_q.weight" && tensor.Type == type);
        using var model = LlamaModel.Load(path, new ModelOptions { ContextSize = 256, Threads = 2 });
        Assert.Equal(Small.VocabularySize, model.Info.VocabularySize);
        Assert.True(model.Info.HasByteFallback);
        using var session = model.CreateSession();
        var result = session.Generate("any text at all: ©, 😀, tabs\t", new GenerationOptions { MaxTokens = 8 });
        Assert.Equal(8, result.Tokens.Count);
        Assert.DoesNotContain(Directory.EnumerateFiles(_temp.Path), name => name.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public void Same_seed_writes_the_same_file_and_another_seed_does_not()
    {
        var first = _temp.File("a.gguf");
        var second = _temp.File("b.gguf");
        var third = _temp.File("c.gguf");

        SyntheticModelWriter.Write(first, Small, GgmlType.F16, seed: 1);
        SyntheticModelWriter.Write(second, Small, GgmlType.F16, seed: 1);
        SyntheticModelWriter.Write(third, Small, GgmlType.F16, seed: 2);

        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
        Assert.NotEqual(File.ReadAllBytes(first), File.ReadAllBytes(third));
    }

    [Fact]
    public void Presets_have_the_shapes_of_their_model_classes()
    {
        Assert.InRange(ModelShape.Llama1B.ParameterCount, 1_050_000_000, 1_150_000_000);
        Assert.InRange(ModelShape.Mistral7B.ParameterCount, 7_100_000_000, 7_300_000_000);
        Assert.Equal(64, ModelShape.Llama1B.HeadSize);
        Assert.Equal(1024, ModelShape.Mistral7B.KvSize);
    }

    [Theory]
    [InlineData(100, 4, 4)]
    [InlineData(256, 6, 3)]
    [InlineData(256, 8, 3)]
    public void Inconsistent_shapes_are_refused(int embedding, int heads, int kvHeads)
    {
        var shape = ModelShape.Tiny with { EmbeddingSize = embedding, HeadCount = heads, KvHeadCount = kvHeads };

        Assert.Throws<InvalidOptionException>(() => SyntheticModelWriter.Write(_temp.File("never.gguf"), shape, GgmlType.F16));
    }
}

public sealed class SyntheticVocabularyFromTests
{
    [ModelFact]
    public void A_synthetic_model_with_a_copied_vocabulary_passes_the_draft_pairing_check_of_its_source()
    {
        using var directory = new TempDirectory();
        var source = TestPaths.Model(TestModelNames.FileOf(TestModelNames.TinyRandom));
        var path = Path.Combine(directory.Path, "random-with-llama-vocabulary.gguf");

        SyntheticModelWriter.Write(path, ModelShape.Tiny, GgmlType.F16, seed: 3, vocabularyFrom: source);

        LookupDecode.Models.VocabularyCompatibility.Check(source, path);
        Assert.Throws<LookupDecode.Models.VocabularyMismatchException>(() =>
            LookupDecode.Models.VocabularyCompatibility.Check(TestPaths.Model(TestModelNames.FileOf(TestModelNames.Stories260K)), path));
        var file = LookupDecode.Models.ModelFileCheck.Check(path);
        Assert.Equal(file.GetInt64("llama.vocab_size") ?? -1, LookupDecode.Models.ModelFileCheck.Check(source).TryGetValue("tokenizer.ggml.tokens", out var tokens) ? tokens.AsArray()!.Length : -2);
    }
}
