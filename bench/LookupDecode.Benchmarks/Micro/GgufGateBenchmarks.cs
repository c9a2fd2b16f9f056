using BenchmarkDotNet.Attributes;
using LookupDecode.Gguf;

namespace LookupDecode.Benchmarks.Micro;

/// <summary>What the managed GGUF check adds to a model load: it reads metadata and the tensor directory only.</summary>
[MemoryDiagnoser]
public class GgufGateBenchmarks
{
    [Params("stories260K.gguf", "llama-2-tiny-random.gguf")]
    public string Model { get; set; } = "";

    private string _path = "";

    [GlobalSetup]
    public void Setup() => _path = Path.Combine(BenchmarkPaths.Models, Model);

    [Benchmark]
    public int ReadMetadataAndTensorDirectory() => GgufReader.Read(_path).Tensors.Count;
}

/// <summary>The whole managed check a load pays in <c>managed</c> and <c>child</c> modes: rules plus the weight scan.</summary>
[MemoryDiagnoser]
public class ModelFileCheckBenchmarks
{
    [Params("stories260K.gguf", "TinyStories-656K-Q8_0.gguf", "llama-2-tiny-random.gguf")]
    public string Model { get; set; } = "";

    private string _path = "";

    [GlobalSetup]
    public void Setup() => _path = Path.Combine(BenchmarkPaths.Models, Model);

    [Benchmark]
    public int RulesAndWeightScan() => LookupDecode.Models.ModelFileCheck.Check(_path).Tensors.Count;
}
