using System.Buffers.Binary;
using LookupDecode.Ngrams;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Ngrams;

/// <summary>
/// N-grams with very many followers (a hostile cache, or a long-running dynamic cache): bulk inserts keep llama.cpp's
/// exact iteration order in O(n log n), and counts saturate instead of wrapping into values the next load refuses.
/// </summary>
public sealed class LargeFollowerSetTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(0, 70, 1)]
    [InlineData(0, 5000, 2)]
    [InlineData(40, 3000, 3)]
    [InlineData(500, 20000, 4)]
    public void Bulk_insert_gives_the_order_and_counts_of_one_by_one_inserts(int existing, int added, int seed)
    {
        var random = new Random(seed);
        var key = new NgramKey(1, 2, -1, -1);
        var oneByOne = new NgramCache();
        var bulk = new NgramCache();
        for (var i = 0; i < existing; i++)
        {
            var token = random.Next(0, 50_000);
            oneByOne.Add(key, token, 1);
            bulk.Add(key, token, 1);
        }

        var tokens = Enumerable.Range(0, added).Select(_ => random.Next(0, 50_000)).ToArray();
        var counts = tokens.Select(_ => random.Next(1, 5)).ToArray();
        foreach (var (token, count) in tokens.Zip(counts))
        {
            oneByOne.Add(key, token, count);
        }

        bulk.AddFollowers(key, tokens, counts);

        Assert.True(oneByOne.TryGetFollowers(key, out var expected));
        Assert.True(bulk.TryGetFollowers(key, out var actual));
        Assert.Equal(expected.Tokens.ToArray(), actual.Tokens.ToArray());
        Assert.Equal(expected.Counts.ToArray(), actual.Counts.ToArray());
        Assert.Equal(oneByOne.FollowerPairs, bulk.FollowerPairs);
    }

    [Fact]
    public void A_cache_with_hundreds_of_thousands_of_followers_of_one_ngram_loads_and_round_trips()
    {
        const int Followers = 400_000;
        var bytes = new byte[16 + 4 + (8 * Followers)];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, 7);
        for (var slot = 1; slot < 4; slot++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(slot * 4), -1);
        }

        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(16), Followers);
        for (var i = 0; i < Followers; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(20 + (8 * i)), (int)(i * 7919L % 10_000_019));
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(24 + (8 * i)), 1 + (i % 3));
        }

        var path = _temp.File("wide.bin");
        File.WriteAllBytes(path, bytes);

        var cache = NgramCache.Load(path);

        Assert.Equal(Followers, cache.FollowerPairs);
        cache.Save(_temp.File("copy.bin"));
        Assert.True(NgramCache.Load(_temp.File("copy.bin")).ContentEquals(cache));
    }

    [Fact]
    public void Counts_saturate_at_int_max_in_updates_merges_and_saves()
    {
        var key = new NgramKey(1, -1, -1, -1);
        var cache = new NgramCache();
        cache.Add(key, 5, int.MaxValue - 1);
        cache.Add(key, 5, 10);
        var other = new NgramCache();
        other.Add(key, 5, int.MaxValue);
        cache.Merge(other);

        Assert.True(cache.TryGetFollowers(key, out var followers));
        Assert.Equal(int.MaxValue, followers.CountOf(5));
        var path = _temp.File("saturated.bin");
        cache.Save(path);
        Assert.True(NgramCache.Load(path).ContentEquals(cache));
    }

    [Fact]
    public void Followers_beyond_libstdcxx_s_old_table_grow_the_map_as_libstdcxx_does()
    {
        Assert.Equal(5967347, LibstdcxxBucketOrder.BucketCount(19));
        Assert.False(LibstdcxxBucketOrder.NeedsRehash(int.MaxValue - 1, LibstdcxxBucketOrder.MaxLevel));
    }
}
