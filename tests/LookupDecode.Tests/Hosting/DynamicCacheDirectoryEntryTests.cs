using LookupDecode.Hosting;
using LookupDecode.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace LookupDecode.Tests.Hosting;

/// <summary>
/// Entries planted in the dynamic caches' directory under a key's file name — a directory, a FIFO, a dangling link, a
/// link to a file outside — cost that key its saved cache and nothing else: no request, eviction or save throws, the
/// planted entry is neither followed nor replaced, and other keys save as before.
/// </summary>
public sealed class DynamicCacheDirectoryEntryTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly TempDirectory _outside = new();

    public void Dispose()
    {
        _temp.Dispose();
        _outside.Dispose();
    }

    public static TheoryData<string> Plants => ["directory", "fifo", "dangling-link", "link-outside", "link-to-directory"];

    [Theory]
    [MemberData(nameof(Plants))]
    public async Task A_planted_entry_costs_its_key_the_saved_cache_only(string plant)
    {
        // One cache in memory at a time: every request on another key evicts (and saves) the previous one.
        var store = new DynamicCacheStore(new LookupDecodeOptions { DynamicCacheDirectory = _temp.Path, MaxDynamicCaches = 1 }, NullLogger.Instance);
        var path = store.PathOf("victim")!;
        var outsideFile = Path.Combine(_outside.Path, "precious.txt");
        File.WriteAllText(outsideFile, "keep me");
        Plant(plant, path, outsideFile);

        for (var round = 0; round < 3; round++)
        {
            await Fill(store, "victim");
            await Fill(store, $"other-{round}");
        }

        await Fill(store, "victim");
        store.SaveAll();

        Assert.Equal("keep me", File.ReadAllText(outsideFile));
        Assert.Equal(plant, Describe(path));
        for (var round = 0; round < 3; round++)
        {
            Assert.True(new FileInfo(store.PathOf($"other-{round}")!).Length > 0, "other keys are saved as before");
        }

        // Once the planted entry is gone, the key saves again.
        if (Directory.Exists(path) && new FileInfo(path).LinkTarget is null)
        {
            Directory.Delete(path);
        }
        else
        {
            File.Delete(path);
        }

        await Fill(store, "victim");
        store.SaveAll();
        Assert.Equal("regular", Describe(path));
    }

    private static async Task Fill(DynamicCacheStore store, string key)
    {
        using var lease = await store.AcquireAsync(key, CancellationToken.None);
        lease.Cache.Update([.. Enumerable.Range(10, 200)], 200);
    }

    private void Plant(string plant, string path, string outsideFile)
    {
        switch (plant)
        {
            case "directory":
                Directory.CreateDirectory(path);
                break;
            case "fifo":
                Assert.Equal(0, Mono.Unix.Native.Syscall.mkfifo(path, Mono.Unix.Native.FilePermissions.DEFFILEMODE));
                break;
            case "dangling-link":
                File.CreateSymbolicLink(path, Path.Combine(_outside.Path, "nothing-here"));
                break;
            case "link-outside":
                File.CreateSymbolicLink(path, outsideFile);
                break;
            case "link-to-directory":
                Directory.CreateSymbolicLink(path, _outside.Path);
                break;
        }
    }

    private static string Describe(string path) => LookupDecode.Files.SafeFiles.KindOfEntry(path) switch
    {
        LookupDecode.Files.FileKind.Directory => "directory",
        LookupDecode.Files.FileKind.Fifo => "fifo",
        LookupDecode.Files.FileKind.Regular => "regular",
        LookupDecode.Files.FileKind.SymbolicLink => File.ResolveLinkTarget(path, returnFinalTarget: false)!.FullName.EndsWith("nothing-here", StringComparison.Ordinal)
            ? "dangling-link"
            : Directory.Exists(path) ? "link-to-directory" : "link-outside",
        var kind => kind.ToString(),
    };
}
