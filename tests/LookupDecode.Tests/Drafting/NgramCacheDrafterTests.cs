using CsCheck;
using LookupDecode.Drafting;
using LookupDecode.Ngrams;

namespace LookupDecode.Tests.Drafting;

public sealed class NgramCacheDrafterTests
{
    [Fact]
    public void Repeating_context_is_drafted_from_the_longest_ngram()
    {
        int[] history = [1, 2, 3, 1, 2, 3, 1, 2];

        var draft = Propose(new NgramCacheDrafter(), history, 5);

        Assert.Equal([3, 1, 2, 3, 1], draft);
    }

    [Fact]
    public void Context_cache_needs_lax_evidence()
    {
        // Only a one-sample 1-gram: [9] -> 4 once (lax n=1 needs 2 samples), so nothing is drafted.
        Assert.Empty(Propose(new NgramCacheDrafter(), [9, 4, 7, 9], 3));
        // The 1:1 split after [9] is 50%, under lax n=1's 66%.
        Assert.Empty(Propose(new NgramCacheDrafter(), [9, 4, 9, 5, 8, 9], 3));
    }

    [Fact]
    public void Static_cache_drafts_alone_when_the_context_has_no_evidence()
    {
        var staticCache = new NgramCache();
        staticCache.Add(new NgramKey([7, 8]), 5, 3);
        staticCache.Add(new NgramKey([7, 8]), 6, 1);

        var draft = Propose(new NgramCacheDrafter(staticCache), [1, 7, 8], 1);

        Assert.Equal([5], draft);
    }

    [Fact]
    public void Static_cache_breaks_a_context_tie()
    {
        // [3 4] was followed once by 41 and once by 42: a 1:1 tie (50% passes lax n=2). Without a static cache the
        // first follower in libstdc++ order wins (42: its bucket was new, so it went to the front); a static 2-gram
        // [3 4] -> 41 multiplies 41's score by 100.
        int[] history = [3, 4, 41, 3, 4, 42, 3, 4];
        var staticCache = new NgramCache();
        staticCache.Add(new NgramKey([3, 4]), 41, 1);

        Assert.Equal([42], Propose(new NgramCacheDrafter(), history, 1));
        Assert.Equal([41], Propose(new NgramCacheDrafter(staticCache), history, 1));
    }

    [Fact]
    public void Dynamic_cache_needs_strict_evidence_and_is_updated_at_the_end()
    {
        var dynamicCache = new NgramCache();
        dynamicCache.Add(new NgramKey([5, 6]), 7, 2);

        // n=2 strict needs 3 samples: 2 are not enough.
        Assert.Empty(Propose(new NgramCacheDrafter(dynamicCache: dynamicCache), [1, 5, 6], 1));
        dynamicCache.Add(new NgramKey([5, 6]), 7, 1);
        Assert.Equal([7], Propose(new NgramCacheDrafter(dynamicCache: dynamicCache), [1, 5, 6], 1));

        var drafter = new NgramCacheDrafter(dynamicCache: dynamicCache);
        drafter.Begin([1, 2, 3]);
        drafter.End([1, 2, 3]);
        Assert.Equal(1, LookupDecode.Tests.Ngrams.NgramCacheTests.Followers(dynamicCache, [1, 2])[3]);
    }

    [Fact]
    public void Drafts_never_exceed_the_requested_length()
    {
        Gen.Select(Gen.Int[0, 8].Array[0, 200], Gen.Int[1, 16]).Sample((tokens, length) =>
        {
            var drafter = new NgramCacheDrafter();
            drafter.Begin(tokens);
            var buffer = new int[length + 4];
            var count = drafter.Propose(tokens, buffer.AsSpan(0, length));
            Assert.InRange(count, 0, length);
            Assert.All(buffer[count..], token => Assert.Equal(0, token));
        }, iter: 300);
    }

    [Fact]
    public void History_shorter_than_a_static_ngram_drafts_nothing()
    {
        var staticCache = new NgramCache();
        staticCache.Add(new NgramKey([1]), 2, 10);

        Assert.Empty(Propose(new NgramCacheDrafter(staticCache), [1], 4));
    }

    private static int[] Propose(NgramCacheDrafter drafter, int[] history, int length)
    {
        drafter.Begin(history);
        var draft = new int[length];
        return draft[..drafter.Propose(history, draft)];
    }
}
