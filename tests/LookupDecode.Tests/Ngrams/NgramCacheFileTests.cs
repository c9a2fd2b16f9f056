using System.Buffers.Binary;
using LookupDecode.Ngrams;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Ngrams;

public sealed class NgramCacheFileTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> UpstreamCacheFiles => new(UpstreamRun.Files("*.bin").DefaultIfEmpty("none"));

    [ModelTheory, MemberData(nameof(UpstreamCacheFiles))]
    public void Upstream_cache_file_loads_and_writes_back_equal_by_content(string fileName)
    {
        var path = TestPaths.Fixture("upstream", fileName);
        var cache = NgramCache.Load(path);
        var copy = _temp.File("copy.bin");

        cache.Save(copy);
        var reloaded = NgramCache.Load(copy);

        Assert.True(cache.Count > 0);
        Assert.True(cache.ContentEquals(reloaded));
        Assert.Equal(new FileInfo(path).Length, new FileInfo(copy).Length);
    }

    [ModelFact]
    public void Static_cache_holds_only_two_grams()
    {
        var cache = NgramCache.Load(TestPaths.Fixture("upstream", "static-corpus.lcs.bin"));

        Assert.All(cache.Keys, key => Assert.Equal(NgramCache.StaticNgramSize, key.Length));
    }

    [ModelFact]
    public void Second_dynamic_cache_of_an_identical_run_is_the_first_with_every_count_doubled()
    {
        var first = NgramCache.Load(TestPaths.Fixture("upstream", "stories260K.tiny-dog.dynamic.lcd.bin"));
        var second = NgramCache.Load(TestPaths.Fixture("upstream", "stories260K.tiny-dog.dynamic-2nd-run.lcd.bin"));

        first.Merge(NgramCache.Load(TestPaths.Fixture("upstream", "stories260K.tiny-dog.dynamic.lcd.bin")));

        Assert.True(first.ContentEquals(second));
    }

    [Fact]
    public void Empty_file_is_an_empty_cache()
    {
        var path = _temp.File("empty.bin");
        File.WriteAllBytes(path, []);

        Assert.Equal(0, NgramCache.Load(path).Count);
    }

    [Fact]
    public void Written_file_never_repeats_a_key()
    {
        var cache = new NgramCache();
        cache.Update([1, 2, 1, 2, 1, 2, 3, 1, 2, 3], 10);
        var path = _temp.File("written.bin");

        cache.Save(path);

        var keys = ReadRecords(File.ReadAllBytes(path)).Select(record => record.Key).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.Equal(cache.Count, keys.Count);
    }

    [Theory]
    [InlineData(3, 0, "ends inside a n-gram key")]          // inside the first key
    [InlineData(18, 16, "ends inside a follower count")]    // inside ntokens
    [InlineData(25, 16, "claims 2 followers but only 5")]   // inside the first pair: the record's claim is checked first
    [InlineData(35, 16, "claims 2 followers but only 15")]  // inside the last pair
    public void Truncated_file_is_refused_with_the_offset_of_the_cut_field(int keepBytes, long expectedOffset, string field)
    {
        var path = _temp.File("truncated.bin");
        File.WriteAllBytes(path, Record([1, 2, -1, -1], (7, 3), (9, 1)).AsSpan(0, keepBytes).ToArray());

        var error = Assert.Throws<LookupCacheFormatException>(() => NgramCache.Load(path));

        Assert.Equal(expectedOffset, error.Offset);
        Assert.Contains(field, error.Problem, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Record_claiming_more_followers_than_the_file_holds_is_refused_before_reading_them()
    {
        var path = _temp.File("claims-too-many.bin");
        var bytes = Record([1, -1, -1, -1], (7, 3));
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(16), int.MaxValue);
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<LookupCacheFormatException>(() => NgramCache.Load(path));

        Assert.Equal(16, error.Offset);
        Assert.Contains("truncated", error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 16, "has 0 followers")]
    [InlineData(-5, 16, "has -5 followers")]
    public void Record_with_no_followers_is_refused(int followerCount, long offset, string problem)
    {
        var path = _temp.File("no-followers.bin");
        var bytes = Record([1, -1, -1, -1], (7, 3));
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(16), followerCount);
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<LookupCacheFormatException>(() => NgramCache.Load(path));

        Assert.Equal(offset, error.Offset);
        Assert.Contains(problem, error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Follower_count_of_zero_or_less_is_refused(int count)
    {
        var path = _temp.File("bad-count.bin");
        File.WriteAllBytes(path, [.. Record([1, 2, -1, -1], (7, 3)), .. Record([4, -1, -1, -1], (5, 1), (6, count))]);

        var error = Assert.Throws<LookupCacheFormatException>(() => NgramCache.Load(path));

        Assert.Equal(28 + 20 + 8 + 4, error.Offset);
        Assert.Contains($"count {count}", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_key_is_refused_instead_of_silently_dropped()
    {
        var path = _temp.File("duplicate.bin");
        File.WriteAllBytes(path, [.. Record([1, 2, -1, -1], (7, 3)), .. Record([1, 2, -1, -1], (8, 1))]);

        var error = Assert.Throws<LookupCacheFormatException>(() => NgramCache.Load(path));

        Assert.Equal(28, error.Offset);
        Assert.Contains("second record", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_follower_in_a_record_is_refused()
    {
        var path = _temp.File("duplicate-follower.bin");
        File.WriteAllBytes(path, Record([1, -1, -1, -1], (7, 3), (7, 1)));

        var error = Assert.Throws<LookupCacheFormatException>(() => NgramCache.Load(path));

        Assert.Equal(28, error.Offset);
    }

    [Theory]
    [InlineData(new[] { -1, -1, -1, -1 })]
    [InlineData(new[] { 1, -1, 3, -1 })]
    [InlineData(new[] { 1, -7, -1, -1 })]
    public void Malformed_key_is_refused(int[] key)
    {
        var path = _temp.File("bad-key.bin");
        File.WriteAllBytes(path, Record(key, (7, 3)));

        var error = Assert.Throws<LookupCacheFormatException>(() => NgramCache.Load(path));

        Assert.Equal(0, error.Offset);
    }

    [Fact]
    public void Text_file_is_refused()
    {
        var path = _temp.File("notes.bin");
        File.WriteAllText(path, "This is not a lookup cache, just some notes that happen to be long enough.\n");

        Assert.Throws<LookupCacheFormatException>(() => NgramCache.Load(path));
    }

    [Fact]
    public void Missing_file_is_a_file_not_found_error()
    {
        Assert.Throws<FileNotFoundException>(() => NgramCache.Load(_temp.File("absent.bin")));
        Assert.Throws<FileNotFoundException>(() => NgramCache.Load(_temp.File("no-such-dir/absent.bin")));
    }

    [Fact]
    public void Failed_save_leaves_the_previous_file_untouched_and_no_temporary_behind()
    {
        var path = _temp.File("existing.bin");
        var original = new NgramCache();
        original.Update([1, 2, 3], 3);
        original.Save(path);
        var before = File.ReadAllBytes(path);
        Directory.CreateDirectory(_temp.File("blocker.bin"));

        var error = Assert.Throws<LookupDecode.Files.UnsafeFileException>(() => original.Save(_temp.File("blocker.bin")));
        Assert.Contains("directory", error.Message, StringComparison.Ordinal);
        Assert.Throws<LookupDecode.Files.UnsafeFileException>(() => original.Save(_temp.File("no-such-directory/cache.bin")));

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.DoesNotContain(Directory.EnumerateFiles(_temp.Path), file => file.EndsWith(".tmp", StringComparison.Ordinal));
    }

    internal static byte[] Record(int[] key, params (int Token, int Count)[] followers)
    {
        var bytes = new byte[16 + 4 + (8 * followers.Length)];
        for (var i = 0; i < 4; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), key[i]);
        }

        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(16), followers.Length);
        for (var i = 0; i < followers.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(20 + (i * 8)), followers[i].Token);
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(24 + (i * 8)), followers[i].Count);
        }

        return bytes;
    }

    private static IEnumerable<(NgramKey Key, int Followers)> ReadRecords(byte[] bytes)
    {
        var offset = 0;
        while (offset < bytes.Length)
        {
            var key = new NgramKey(
                BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset)),
                BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset + 4)),
                BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset + 8)),
                BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset + 12)));
            var count = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset + 16));
            yield return (key, count);
            offset += 20 + (count * 8);
        }
    }
}
