using CsCheck;
using LookupDecode.Ngrams;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Ngrams;

public sealed class NgramCachePropertyTests
{
    private static readonly Gen<int[]> TokenStreams = Gen.Int[0, 40].Array[0, 300];

    [Fact]
    public void Counts_equal_a_plain_dictionary_count_of_every_ngram()
    {
        TokenStreams.Sample(tokens =>
        {
            var cache = new NgramCache();
            cache.Update(tokens, tokens.Length);

            var expected = new Dictionary<(NgramKey, int), int>();
            for (var size = 1; size <= 4; size++)
            {
                for (var i = size; i < tokens.Length; i++)
                {
                    var entry = (new NgramKey(tokens.AsSpan(i - size, size)), tokens[i]);
                    expected[entry] = expected.GetValueOrDefault(entry) + 1;
                }
            }

            Assert.Equal(expected.Count, cache.FollowerPairs);
            foreach (var ((key, token), count) in expected)
            {
                Assert.True(cache.TryGetFollowers(key, out var followers));
                Assert.Equal(count, followers.CountOf(token));
            }
        }, iter: 200);
    }

    [Fact]
    public void Save_then_load_round_trips_by_content()
    {
        using var temp = new TempDirectory();
        TokenStreams.Sample(tokens =>
        {
            var path = temp.File($"{Guid.NewGuid():N}.bin");
            var cache = new NgramCache();
            cache.Update(tokens, tokens.Length);

            cache.Save(path);

            Assert.True(cache.ContentEquals(NgramCache.Load(path)));
        }, iter: 100);
    }

    [Fact]
    public void Merge_equals_counting_both_streams_into_one_cache()
    {
        Gen.Select(TokenStreams, TokenStreams).Sample((first, second) =>
        {
            var a = new NgramCache();
            a.Update(first, first.Length);
            var b = new NgramCache();
            b.Update(second, second.Length);
            var both = new NgramCache();
            both.Update(first, first.Length);
            both.Update(second, second.Length);

            a.Merge(b);

            Assert.True(a.ContentEquals(both));
        }, iter: 100);
    }
}
