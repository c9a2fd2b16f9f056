using BenchmarkDotNet.Attributes;
using LookupDecode.Ngrams;

namespace LookupDecode.Benchmarks.Micro;

/// <summary>N-gram cache costs: per-token update, building from a whole history, and the file round trip.</summary>
[MemoryDiagnoser]
public class NgramCacheBenchmarks
{
    private int[] _history = [];
    private NgramCache _cache = null!;
    private string _path = "";

    [Params(4096, 32768)]
    public int HistoryLength { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _history = SyntheticTokens.Create(HistoryLength);
        _cache = new NgramCache();
        _cache.Update(_history, _history.Length);
        _path = Path.Combine(Path.GetTempPath(), $"lookupdecode-bench-{HistoryLength}.lcd.bin");
        _cache.Save(_path);
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_path);

    [Benchmark(Description = "update with one new token (n = 1..4)")]
    public void UpdateOneToken() => _cache.Update(_history, 1);

    [Benchmark(Description = "build from the whole history")]
    public int BuildFromHistory()
    {
        var cache = new NgramCache(_history.Length * 4);
        cache.Update(_history, _history.Length);
        return cache.Count;
    }

    [Benchmark(Description = "save")]
    public void Save() => _cache.Save(_path);

    [Benchmark(Description = "load")]
    public int Load() => NgramCache.Load(_path).Count;
}
