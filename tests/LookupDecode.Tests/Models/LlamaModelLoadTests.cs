using LookupDecode.Gguf;
using LookupDecode.Models;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Models;

public sealed class LlamaModelLoadTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Missing_file_is_a_model_load_error_naming_the_file()
    {
        var path = _temp.File("absent.gguf");

        var error = Assert.Throws<ModelLoadException>(() => LlamaModel.Load(path));

        Assert.Equal(path, error.FilePath);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Directory_is_a_model_load_error()
    {
        var error = Assert.Throws<ModelLoadException>(() => LlamaModel.Load(_temp.Path));

        Assert.Contains("directory", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_file_is_refused_before_llama_cpp_sees_it()
    {
        var path = _temp.File("empty.gguf");
        File.WriteAllBytes(path, []);

        var error = Assert.Throws<GgufFormatException>(() => LlamaModel.Load(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_file_is_refused_before_llama_cpp_sees_it()
    {
        var path = _temp.File("readme.gguf");
        File.WriteAllText(path, "# Not a model\nJust some text that happens to end in .gguf\n");

        Assert.Throws<GgufFormatException>(() => LlamaModel.Load(path));
    }

    [ModelFact]
    public void Truncated_copy_of_a_real_model_is_refused_before_llama_cpp_sees_it()
    {
        var original = File.ReadAllBytes(TestPaths.Model(TestModelNames.FileOf(TestModelNames.TinyRandom)));
        var path = _temp.File("truncated.gguf");
        File.WriteAllBytes(path, original.AsSpan(0, original.Length - 4096).ToArray());

        var error = Assert.Throws<GgufFormatException>(() => LlamaModel.Load(path));

        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Well_formed_file_llama_cpp_refuses_becomes_a_model_load_error()
    {
        var path = _temp.File("unknown-architecture.gguf");
        GgufSamples.UnknownArchitecture().WriteTo(path);

        var error = Assert.Throws<ModelLoadException>(() => LlamaModel.Load(path));

        Assert.IsNotType<GgufFormatException>(error);
        Assert.Contains("llama.cpp refused", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void File_without_architecture_is_refused()
    {
        var path = _temp.File("no-architecture.gguf");
        new GgufWriter().AddTensor("x", [4], new float[4]).WriteTo(path);

        var error = Assert.Throws<GgufFormatException>(() => LlamaModel.Load(path));

        Assert.Contains("general.architecture", error.Rule, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(nameof(ModelOptions.ContextSize), 8, 512, 2)]
    [InlineData(nameof(ModelOptions.BatchSize), 512, 0, 2)]
    [InlineData(nameof(ModelOptions.Threads), 512, 512, 0)]
    public void Out_of_range_options_are_refused_before_loading(string option, int contextSize, int batchSize, int threads)
    {
        var options = new ModelOptions { ContextSize = contextSize, BatchSize = batchSize, Threads = threads };

        var error = Assert.Throws<InvalidOptionException>(() => LlamaModel.Load(_temp.File("never-read.gguf"), options));

        Assert.Equal(option, error.OptionName);
    }

    [ModelFact]
    public void Real_model_loads_and_reports_its_shape()
    {
        using var model = LlamaModel.Load(TestPaths.Model(TestModelNames.FileOf(TestModelNames.Stories260K)), new ModelOptions { ContextSize = 256 });

        Assert.Equal(512, model.Info.VocabularySize);
        Assert.Equal(5, model.Info.LayerCount);
        Assert.Equal(64, model.Info.EmbeddingSize);
        Assert.True(model.Info.HasByteFallback);
    }
}
