using System.Security.Cryptography;
using System.Text;
using LookupDecode.Files;
using LookupDecode.Ngrams;
using Microsoft.Extensions.Logging;

namespace LookupDecode.Hosting;

/// <summary>
/// Dynamic n-gram caches that persist across requests, one per key (a tenant, a conversation): llama.cpp's
/// <c>-lcd</c> cache, kept per key. A request holds its key's cache exclusively (a second request on the same key waits),
/// its generation is merged into it at the end, and memory stays bounded: beyond <see cref="LookupDecodeOptions.MaxDynamicCaches"/>
/// caches or <see cref="LookupDecodeOptions.MaxDynamicCachePairs"/> pairs, the least recently used idle caches are saved
/// (when a directory is configured) and dropped. All caches are saved on shutdown. The directory stays bounded too:
/// beyond <see cref="LookupDecodeOptions.MaxDynamicCacheDirectoryBytes"/> the least recently written cache files are
/// deleted (a cache still in memory loses nothing: it is saved again whole).
/// </summary>
public sealed partial class DynamicCacheStore
{
    private readonly LookupDecodeOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _clock;

    /// <summary>How saved caches' file names end (what directory pruning deletes; nothing else is touched).</summary>
    private const string CacheFileSuffix = ".lcd.bin";

    internal DynamicCacheStore(LookupDecodeOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
    }

    /// <summary>Caches currently in memory.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>(n-gram, follower) pairs across the caches in memory.</summary>
    public long TotalPairs
    {
        get
        {
            lock (_gate)
            {
                return _entries.Values.Sum(entry => entry.Cache.FollowerPairs);
            }
        }
    }

    /// <summary>Takes the cache of <paramref name="key"/> for one request, loading it from disk or creating it; dispose to give it back.</summary>
    public async Task<DynamicCacheLease> AcquireAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        Entry entry;
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out entry!))
            {
                entry = new Entry(key, LoadOrCreate(key));
                _entries.Add(key, entry);
            }

            entry.Users++;
        }

        try
        {
            await entry.Exclusive.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lock (_gate)
            {
                entry.Users--;
            }

            throw;
        }

        return new DynamicCacheLease(this, entry);
    }

    /// <summary>Saves every cache to the configured directory (no-op without one).</summary>
    public void SaveAll()
    {
        Entry[] entries;
        lock (_gate)
        {
            entries = [.. _entries.Values];
        }

        foreach (var entry in entries)
        {
            entry.Exclusive.Wait();
            try
            {
                Save(entry);
            }
            catch (Exception exception) when (IsFileProblem(exception))
            {
                // One unwritable file must not keep the others from being saved.
                LogNotSaved(_logger, entry.Key, exception.Message);
            }
            finally
            {
                entry.Exclusive.Release();
            }
        }
    }

    internal void Release(Entry entry)
    {
        entry.Exclusive.Release();
        lock (_gate)
        {
            entry.Users--;
            entry.LastUsed = ++_clock;
            EvictBeyondLimits();
        }
    }

    /// <summary>The file a key's cache is saved to: a readable prefix plus a hash, so any key is a safe file name.</summary>
    internal string? PathOf(string key)
    {
        if (_options.DynamicCacheDirectory is not { } directory)
        {
            return null;
        }

        var readable = new string(key.Take(40).Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray());
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16];
        return Path.Combine(directory, $"{readable}-{hash}{CacheFileSuffix}");
    }

    private NgramCache LoadOrCreate(string key)
    {
        // Only a regular file is read, and a link planted in the directory is never followed out of it.
        if (PathOf(key) is { } path && SafeFiles.KindOfEntry(path) != FileKind.Missing)
        {
            try
            {
                using var stream = SafeFiles.OpenRead(path, "dynamic cache", bufferSize: 1, followLinks: false);
                return NgramCache.Load(stream, path);
            }
            catch (Exception exception) when (IsFileProblem(exception))
            {
                // A damaged or unreadable cache only costs speed: start afresh and say so (the file is replaced on the next save).
                LogDamaged(_logger, path, exception.Message);
            }
        }

        return new NgramCache();
    }

    /// <summary>
    /// Saves <paramref name="entry"/>'s cache (when a directory is configured and it holds anything), then prunes the
    /// directory to its bound under the gate (re-entered when eviction already holds it), so no cache loads meanwhile.
    /// </summary>
    private void Save(Entry entry)
    {
        if (PathOf(entry.Key) is { } path && entry.Cache.Count > 0)
        {
            SafeFiles.WriteAtomically(path, "dynamic cache", entry.Cache.Save, createDirectory: true, followLinks: false);
            lock (_gate)
            {
                PruneDirectory(path);
            }
        }
    }

    /// <summary>
    /// Deletes the least recently written cache files (<c>*.lcd.bin</c>) until the directory's total is within its bound;
    /// <paramref name="justSaved"/> is kept. Called holding the gate.
    /// </summary>
    private void PruneDirectory(string justSaved)
    {
        var directory = Path.GetDirectoryName(justSaved)!;
        FileInfo[] files;
        try
        {
            files = new DirectoryInfo(directory).GetFiles("*" + CacheFileSuffix, SearchOption.TopDirectoryOnly);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            LogNotPruned(_logger, directory, exception.Message);
            return;
        }

        // Only regular files count and are deleted: a link, FIFO or directory named like a cache is not ours to touch.
        files = [.. files.Where(file => SafeFiles.KindOfEntry(file.FullName) == FileKind.Regular)];
        var total = files.Sum(LengthOrZero);
        foreach (var file in files.OrderBy(file => file.LastWriteTimeUtc).ThenBy(file => file.Name, StringComparer.Ordinal))
        {
            if (total <= _options.MaxDynamicCacheDirectoryBytes)
            {
                return;
            }

            if (string.Equals(file.FullName, Path.GetFullPath(justSaved), StringComparison.Ordinal))
            {
                continue;
            }

            var length = LengthOrZero(file);
            try
            {
                file.Delete();
                total -= length;
                LogPruned(_logger, file.Name, length);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                LogNotPruned(_logger, file.FullName, exception.Message);
            }
        }
    }

    private void EvictBeyondLimits()
    {
        while (_entries.Count > _options.MaxDynamicCaches || _entries.Values.Sum(entry => entry.Cache.FollowerPairs) > _options.MaxDynamicCachePairs)
        {
            var victim = _entries.Values.Where(entry => entry.Users == 0).MinBy(entry => entry.LastUsed);
            if (victim is null)
            {
                return;
            }

            try
            {
                Save(victim);
            }
            catch (Exception exception) when (IsFileProblem(exception))
            {
                LogNotSaved(_logger, victim.Key, exception.Message);
            }

            _entries.Remove(victim.Key);
            LogEvicted(_logger, victim.Key, victim.Cache.FollowerPairs);
        }
    }

    /// <summary>What a cache file can do wrong that costs speed only: damaged, unreadable, unwritable, or not a regular file.</summary>
    private static bool IsFileProblem(Exception exception)
        => exception is LookupDecodeException or IOException or UnauthorizedAccessException;

    private static long LengthOrZero(FileInfo file)
    {
        try
        {
            return file.Length;
        }
        catch (IOException)
        {
            return 0; // gone meanwhile
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dynamic cache {Path} is damaged or unreadable and was ignored: {Problem}")]
    private static partial void LogDamaged(ILogger logger, string path, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "Dynamic cache '{Key}' could not be saved: {Problem}")]
    private static partial void LogNotSaved(ILogger logger, string key, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Saved dynamic cache {File} ({Bytes} bytes) deleted to keep the directory within its bound")]
    private static partial void LogPruned(ILogger logger, string file, long bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dynamic cache directory could not be pruned at {Path}: {Problem}")]
    private static partial void LogNotPruned(ILogger logger, string path, string problem);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Dynamic cache '{Key}' ({Pairs} pairs) evicted from memory")]
    private static partial void LogEvicted(ILogger logger, string key, long pairs);

    internal sealed class Entry(string key, NgramCache cache)
    {
        public string Key { get; } = key;

        public NgramCache Cache { get; } = cache;

        public SemaphoreSlim Exclusive { get; } = new(1, 1);

        public int Users { get; set; }

        public long LastUsed { get; set; }
    }
}

/// <summary>Exclusive use of one key's dynamic cache during a request.</summary>
public sealed class DynamicCacheLease : IDisposable
{
    private readonly DynamicCacheStore _store;
    private readonly DynamicCacheStore.Entry _entry;
    private int _released;

    internal DynamicCacheLease(DynamicCacheStore store, DynamicCacheStore.Entry entry)
    {
        _store = store;
        _entry = entry;
    }

    /// <summary>The cache; the request's generation is merged into it.</summary>
    public NgramCache Cache => _entry.Cache;

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _store.Release(_entry);
        }
    }
}
