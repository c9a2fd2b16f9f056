using System.Buffers.Binary;
using LookupDecode.Drafting.Suffix;
using LookupDecode.Tests.Support;
using Xunit.Abstractions;

namespace LookupDecode.Tests.Drafting;

/// <summary>The cross-request memory: keys dropped least recently used first, a bounded size, and a typed file format.</summary>
public sealed class SuffixMemoryStoreTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Saved_memories_load_back_with_their_keys_outputs_and_recency()
    {
        var store = new SuffixMemoryStore(capacityPerKey: 1000, maxKeys: 4);
        store.Get("a").Add([1, 2, 3]);
        store.Get("b").Add([4, 5]);
        store.Get("a").Add([6]);
        var path = _temp.File("memory.bin");

        store.Save(path);
        var loaded = SuffixMemoryStore.Load(path, capacityPerKey: 1000, maxKeys: 4);

        Assert.Equal(["a", "b"], loaded.Keys);
        Assert.Equal([[1, 2, 3], [6]], loaded.Get("a").Outputs());
        Assert.Equal([[4, 5]], loaded.Get("b").Outputs());
    }

    [Fact]
    public void The_least_recently_used_key_is_dropped_and_memory_stays_bounded()
    {
        var store = new SuffixMemoryStore(capacityPerKey: 64, maxKeys: 2);
        store.Get("a").Add([1]);
        store.Get("b").Add([2]);
        store.Get("a");
        store.Get("c").Add([3]);

        Assert.Equal(["c", "a"], store.Keys);
        for (var i = 0; i < 100; i++)
        {
            store.Get("a").Add([.. Enumerable.Range(i * 10, 10)]);
        }

        Assert.True(store.Get("a").Count <= 64);
        Assert.True(store.MaxBytes > 0);
    }

    [Theory]
    [InlineData("bad magic")]
    [InlineData("version")]
    [InlineData("truncated")]
    [InlineData("negative token")]
    [InlineData("trailing bytes")]
    [InlineData("huge key count")]
    [InlineData("huge output")]
    [InlineData("duplicate key")]
    [InlineData("invalid utf-8 key")]
    public void Damaged_files_are_typed_errors(string damage)
    {
        var store = new SuffixMemoryStore(capacityPerKey: 1000);
        store.Get("k").Add([1, 2, 3]);
        var path = _temp.File("memory.bin");
        store.Save(path);
        var bytes = File.ReadAllBytes(path).ToList();
        // Layout: LDSM, version, keys=1, keyLength=1, 'k', outputs=1, length=3, 1, 2, 3.
        switch (damage)
        {
            case "bad magic": bytes[0] = (byte)'X'; break;
            case "version": bytes[4] = 9; break;
            case "truncated": bytes.RemoveRange(bytes.Count - 3, 3); break;
            case "negative token": BinaryPrimitives.WriteInt32LittleEndian(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes)[^4..], -7); break;
            case "trailing bytes": bytes.Add(0); break;
            case "huge key count": BinaryPrimitives.WriteUInt32LittleEndian(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes)[8..], uint.MaxValue); break;
            case "huge output": BinaryPrimitives.WriteUInt32LittleEndian(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes)[21..], 1 << 30); break;
            case "duplicate key":
                BinaryPrimitives.WriteUInt32LittleEndian(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes)[8..], 2);
                bytes.AddRange(bytes.GetRange(12, bytes.Count - 12));
                break;
            default: bytes[16] = 0xFF; break;
        }

        File.WriteAllBytes(path, [.. bytes]);

        Assert.Throws<SuffixMemoryFormatException>(() => SuffixMemoryStore.Load(path));
    }

    [Fact]
    public void Random_damage_is_a_typed_error_or_a_store_that_round_trips()
    {
        var store = new SuffixMemoryStore(capacityPerKey: 1000);
        store.Get("first").Add([1, 2, 3, 4]);
        store.Get("second").Add([5, 6]);
        var path = _temp.File("memory.bin");
        store.Save(path);
        var original = File.ReadAllBytes(path);
        var random = new Random(5);
        for (var run = 0; run < 2000; run++)
        {
            var bytes = (byte[])original.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            if (random.Next(4) == 0)
            {
                bytes = bytes[..random.Next(bytes.Length)];
            }

            try
            {
                var loaded = SuffixMemoryStore.Load(bytes, "mutated");
                var again = _temp.File("again.bin");
                loaded.Save(again);
                Assert.Equal(File.ReadAllBytes(again), SaveBytes(SuffixMemoryStore.Load(again)));
            }
            catch (SuffixMemoryFormatException)
            {
            }
        }
    }

    [Fact]
    public void A_fifo_or_device_is_not_a_memory_file()
    {
        Assert.Throws<LookupDecode.Files.UnsafeFileException>(() => SuffixMemoryStore.Load("/dev/zero"));
        Assert.Throws<LookupDecode.Files.UnsafeFileException>(() => new SuffixMemoryStore().Save("/dev/null"));
    }

    private byte[] SaveBytes(SuffixMemoryStore store)
    {
        var path = _temp.File($"{Guid.NewGuid():N}.bin");
        store.Save(path);
        return File.ReadAllBytes(path);
    }
}

/// <summary>
/// The memory bound the store promises holds for a full memory of varied text. The process's managed heap is measured, so
/// it runs alone: other tests allocating in parallel made it fail now and then.
/// </summary>
[Collection(LookupDecode.Tests.Hosting.SoakCollection.Name)]
public sealed class SuffixMemoryBoundTests(ITestOutputHelper output)
{
    [Fact]
    public void A_full_memory_uses_no_more_than_its_stated_bound()
    {
        const int Capacity = 1 << 16;
        var random = new Random(3);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var memory = new SuffixMemory(Capacity);
        for (var i = 0; i < 4 * Capacity / 200; i++)
        {
            memory.Add([.. Enumerable.Range(0, 200).Select(_ => random.Next(32000))]);
        }

        var used = GC.GetTotalMemory(forceFullCollection: true) - before;
        GC.KeepAlive(memory);

        output.WriteLine($"{used} bytes for {memory.Count} tokens: {(double)used / memory.Count:F1} bytes per token; bound {memory.MaxBytes} ({(double)memory.MaxBytes / Capacity:F0} per token)");
        Assert.InRange(used, 1, memory.MaxBytes);
    }
}
