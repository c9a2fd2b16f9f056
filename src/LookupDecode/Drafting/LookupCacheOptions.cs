using LookupDecode.Ngrams;

namespace LookupDecode.Drafting;

/// <summary>The n-gram caches llama.cpp's lookup drafter reads besides the context cache it builds itself.</summary>
public sealed record LookupCacheOptions
{
    /// <summary>Static 2-gram cache of a corpus (<c>llama-lookup-create</c>; llama-lookup's <c>-lcs</c>). Read only.</summary>
    public NgramCache? StaticCache { get; init; }

    /// <summary>
    /// Dynamic cache of earlier generations (llama-lookup's <c>-lcd</c>). Each generation's context cache is merged
    /// into it at the end, so the same instance keeps learning across generations. Not thread-safe: give concurrent
    /// generations different instances.
    /// </summary>
    public NgramCache? DynamicCache { get; init; }

    /// <summary>
    /// The caches llama-lookup's <c>-lcs</c>/<c>-lcd</c> would use: the static cache is loaded from
    /// <paramref name="staticCachePath"/> (must exist); the dynamic cache from <paramref name="dynamicCachePath"/> when
    /// that file exists (else it starts empty). Each generation merges its n-grams into the dynamic cache in memory; saving
    /// it back (<see cref="NgramCache.Save(string)"/>) is the caller's: the decoding loop touches no file.
    /// </summary>
    /// <exception cref="LookupCacheFormatException">A cache file is truncated or invalid.</exception>
    /// <exception cref="FileNotFoundException">The static cache file does not exist.</exception>
    public static LookupCacheOptions FromFiles(string? staticCachePath, string? dynamicCachePath) => new()
    {
        StaticCache = staticCachePath is null ? null : NgramCache.Load(staticCachePath),
        DynamicCache = dynamicCachePath is null ? null : LoadOrCreate(dynamicCachePath),
    };

    /// <summary>
    /// The dynamic cache at <paramref name="path"/>, or a new one when nothing is there yet; a path it could never be
    /// saved to (a directory, device or FIFO) is refused now, before any generation depends on it.
    /// </summary>
    private static NgramCache LoadOrCreate(string path)
    {
        Files.SafeFiles.ResolveOutput(path, "dynamic lookup cache");
        return Files.SafeFiles.KindOf(path) == Files.FileKind.Missing ? new NgramCache() : NgramCache.Load(path);
    }
}
