using LookupDecode.Ngrams;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Ngrams;

/// <summary>Files LookupDecode writes are read by upstream llama.cpp's own tools, and the other way round.</summary>
public sealed class UpstreamCacheCompatibilityTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [UpstreamToolFact("llama-lookup-merge")]
    public void Upstream_merge_reads_our_files_and_agrees_with_our_merge()
    {
        var first = new NgramCache();
        first.Update([1, 2, 3, 1, 2, 4, 1, 2, 3, 5, 6, 7, 1, 2], 14);
        var second = NgramCache.Load(TestPaths.Fixture("upstream", "story.dynamic.lcd.bin"));
        var firstPath = _temp.File("first.lcd.bin");
        var secondPath = _temp.File("second.lcd.bin");
        var mergedPath = _temp.File("merged.lcd.bin");
        first.Save(firstPath);
        second.Save(secondPath);

        var (exitCode, output) = UpstreamTools.Run("llama-lookup-merge", firstPath, secondPath, mergedPath);

        Assert.True(exitCode == 0, output);
        first.Merge(second);
        Assert.True(first.ContentEquals(NgramCache.Load(mergedPath)));
    }
}
