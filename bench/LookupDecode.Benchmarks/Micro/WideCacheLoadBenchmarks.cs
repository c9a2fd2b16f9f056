using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using LookupDecode.Ngrams;

namespace LookupDecode.Benchmarks.Micro;

/// <summary>
/// Loading a lookup cache whose one n-gram has very many followers (a 16 MB file holds 2M): llama.cpp's follower
/// order is rebuilt in O(n log n). Before the bulk insert this was quadratic (200k: 6 s, 500k: 38 s).
/// </summary>
[MemoryDiagnoser]
public class WideCacheLoadBenchmarks
{
    [Params(200_000, 500_000, 2_000_000)]
    public int Followers { get; set; }

    private string _path = "";

    [GlobalSetup]
    public void Setup()
    {
        var bytes = new byte[16 + 4 + (8L * Followers)];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, 7);
        for (var slot = 1; slot < 4; slot++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(slot * 4), -1);
        }

        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(16), Followers);
        for (var i = 0; i < Followers; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(20 + (8 * i)), (int)(i * 7919L % 100_000_007));
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(24 + (8 * i)), 1 + (i % 3));
        }

        _path = Path.Combine(Path.GetTempPath(), $"lookupdecode-wide-{Followers}.bin");
        File.WriteAllBytes(_path, bytes);
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_path);

    [Benchmark]
    public long Load() => NgramCache.Load(_path).FollowerPairs;
}
