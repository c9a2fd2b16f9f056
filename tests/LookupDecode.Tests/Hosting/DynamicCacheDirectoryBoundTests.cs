using LookupDecode.Hosting;
using LookupDecode.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace LookupDecode.Tests.Hosting;

/// <summary>The dynamic caches' directory stays within its byte bound, whatever keys clients send.</summary>
public sealed class DynamicCacheDirectoryBoundTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private DynamicCacheStore Store(long maxBytes, int maxCaches = 64) => new(
        new LookupDecodeOptions { DynamicCacheDirectory = _temp.Path, MaxDynamicCacheDirectoryBytes = maxBytes, MaxDynamicCaches = maxCaches },
        NullLogger.Instance);

    private string OldFile(string name, int bytes, int minutesAgo)
    {
        var path = Path.Combine(_temp.Path, name);
        File.WriteAllBytes(path, new byte[bytes]);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-minutesAgo));
        return path;
    }

    private static async Task Fill(DynamicCacheStore store, string key)
    {
        using var lease = await store.AcquireAsync(key, CancellationToken.None);
        lease.Cache.Update([.. Enumerable.Range(10, 200)], 200);
    }

    [Fact]
    public async Task Saving_deletes_the_least_recently_written_cache_files_beyond_the_bound_and_nothing_else()
    {
        var first = Store(maxBytes: long.MaxValue);
        await Fill(first, "tenant-a");
        first.SaveAll();
        var saved = first.PathOf("tenant-a")!;
        var savedBytes = new FileInfo(saved).Length;
        var oldest = OldFile("oldest-0000000000000000.lcd.bin", 4000, minutesAgo: 30);
        var older = OldFile("older-0000000000000000.lcd.bin", 4000, minutesAgo: 20);
        var recent = OldFile("recent-0000000000000000.lcd.bin", 1000, minutesAgo: 10);
        var unrelated = OldFile("notes.txt", 50_000, minutesAgo: 60);

        // Room for the saved cache and 5,000 bytes more: the oldest file has to go, the rest fits.
        var store = Store(maxBytes: savedBytes + 5000);
        await Fill(store, "tenant-a");
        store.SaveAll();

        Assert.Equal(savedBytes, new FileInfo(saved).Length);
        Assert.False(File.Exists(oldest));
        Assert.True(File.Exists(older));
        Assert.True(File.Exists(recent));
        Assert.True(File.Exists(unrelated), "only cache files are pruned");
    }

    [Fact]
    public async Task Many_client_keys_leave_at_most_the_bound_on_disk_and_the_newest_cache_is_kept()
    {
        var store = Store(maxBytes: 1, maxCaches: 1);
        for (var i = 0; i < 20; i++)
        {
            await Fill(store, $"client-{i}");
        }

        store.SaveAll();

        // A bound smaller than one cache keeps just the file saved last.
        Assert.Equal([Path.GetFileName(store.PathOf("client-19")!)], Directory.GetFiles(_temp.Path, "*.lcd.bin").Select(Path.GetFileName));
    }
}
