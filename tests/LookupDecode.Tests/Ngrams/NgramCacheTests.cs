using LookupDecode.Ngrams;

namespace LookupDecode.Tests.Ngrams;

public sealed class NgramCacheTests
{
    [Fact]
    public void Update_counts_every_ngram_ending_at_the_new_tokens()
    {
        var cache = new NgramCache();
        int[] tokens = [1, 2, 3, 1, 2, 4];

        cache.Update(tokens, tokens.Length);

        Assert.Equal(new Dictionary<int, int> { [2] = 2 }, Followers(cache, [1]));
        Assert.Equal(new Dictionary<int, int> { [3] = 1, [4] = 1 }, Followers(cache, [1, 2]));
        Assert.Equal(new Dictionary<int, int> { [1] = 1 }, Followers(cache, [2, 3]));
        Assert.Equal(new Dictionary<int, int> { [4] = 1 }, Followers(cache, [2, 3, 1, 2]));
        // n-grams that would start before the sequence are not counted: 5 of size 1, 4 of size 2, 3, 2.
        Assert.Equal(5 + 4 + 3 + 2, cache.Keys.Sum(key => cache.TryGetFollowers(key, out var f) ? (int)f.TotalCount : 0));
    }

    [Fact]
    public void Incremental_updates_equal_one_update_of_the_whole_stream()
    {
        int[] tokens = [5, 6, 5, 6, 7, 5, 6, 5, 9, 9, 9, 5, 6];
        var whole = new NgramCache();
        whole.Update(tokens, tokens.Length);
        var incremental = new NgramCache();
        incremental.Update(tokens.AsSpan(0, 4), 4);

        for (var length = 5; length <= tokens.Length; length++)
        {
            incremental.Update(tokens.AsSpan(0, length), 1);
        }

        Assert.True(whole.ContentEquals(incremental));
    }

    public static TheoryData<int> ReferenceCases => [0, 1, 2, 3, 4];

    [Theory, MemberData(nameof(ReferenceCases))]
    public void Followers_iterate_in_the_order_libstdcxx_unordered_map_has(int caseIndex)
    {
        var (inserted, expectedOrder) = LibstdcxxReference.Cases()[caseIndex];
        var cache = new NgramCache();
        var key = new NgramKey([42]);

        foreach (var token in inserted)
        {
            cache.Add(key, token, 1);
        }

        Assert.True(cache.TryGetFollowers(key, out var followers));
        Assert.Equal(expectedOrder, followers.Tokens.ToArray());
    }

    [Fact]
    public void Merge_copies_new_ngrams_with_their_order_and_adds_counts_of_existing_ones()
    {
        var target = new NgramCache();
        target.Add(new NgramKey([1]), 10, 2);
        var source = new NgramCache();
        source.Add(new NgramKey([1]), 10, 3);
        source.Add(new NgramKey([1]), 11, 1);
        foreach (var token in new[] { 13, 26, 0, 39 })
        {
            source.Add(new NgramKey([2, 3]), token, 1);
        }

        target.Merge(source);

        Assert.Equal(new Dictionary<int, int> { [10] = 5, [11] = 1 }, Followers(target, [1]));
        source.TryGetFollowers(new NgramKey([2, 3]), out var sourceOrder);
        target.TryGetFollowers(new NgramKey([2, 3]), out var mergedOrder);
        Assert.Equal(sourceOrder.Tokens.ToArray(), mergedOrder.Tokens.ToArray());
    }

    [Fact]
    public void Content_equality_ignores_follower_order_but_not_counts()
    {
        var a = new NgramCache();
        a.Add(new NgramKey([1]), 2, 1);
        a.Add(new NgramKey([1]), 15, 1);
        var b = new NgramCache();
        b.Add(new NgramKey([1]), 15, 1);
        b.Add(new NgramKey([1]), 2, 1);
        var c = new NgramCache();
        c.Add(new NgramKey([1]), 15, 2);
        c.Add(new NgramKey([1]), 2, 1);

        Assert.True(a.ContentEquals(b));
        Assert.False(a.ContentEquals(c));
    }

    [Fact]
    public void Clear_empties_the_cache_for_reuse()
    {
        var cache = new NgramCache();
        cache.Update([1, 2, 3, 4, 5], 5);

        cache.Clear();
        cache.Update([7, 8], 2);

        Assert.Equal(1, cache.Count);
        Assert.Equal(new Dictionary<int, int> { [8] = 1 }, Followers(cache, [7]));
        Assert.Equal(8, cache.MaxTokenId);
    }

    [Fact]
    public void Keys_hold_one_to_four_tokens_with_unused_slots_last()
    {
        Assert.Equal(new NgramKey(3, -1, -1, -1), new NgramKey([3]));
        Assert.Equal(4, new NgramKey([1, 2, 3, 4]).Length);
        Assert.True(new NgramKey(1, 2, -1, -1).IsWellFormed);
        Assert.False(new NgramKey(1, -1, 2, -1).IsWellFormed);
        Assert.False(new NgramKey(-1, -1, -1, -1).IsWellFormed);
        Assert.Throws<ArgumentOutOfRangeException>(() => new NgramKey([1, 2, 3, 4, 5]));
    }

    internal static Dictionary<int, int> Followers(NgramCache cache, int[] key)
    {
        var result = new Dictionary<int, int>();
        if (cache.TryGetFollowers(new NgramKey(key), out var followers))
        {
            for (var i = 0; i < followers.Length; i++)
            {
                result[followers.Tokens[i]] = followers.Counts[i];
            }
        }

        return result;
    }
}
