using LookupDecode.Drafting.Suffix;
using LookupDecode.Ngrams;

namespace LookupDecode.Hosting.Memory;

/// <summary>
/// Where the memory across requests lives: the dynamic n-gram cache of a key (llama.cpp's <c>-lcd</c>) and the suffix
/// memory of earlier outputs. The default (<see cref="InProcessDraftMemoryStore"/>) keeps both in this process;
/// <see cref="RedisDraftMemoryStore"/> also shares what every replica generated through a Redis-protocol server, so a
/// replica drafts from what another one wrote. The memory only changes speed, never output: a store may lag, lose or
/// repeat records without any effect on the tokens generated.
/// </summary>
public interface IDraftMemoryStore
{
    /// <summary>
    /// Takes the memories one request drafts from: the dynamic cache of <paramref name="cacheKey"/> (exclusively, until
    /// the returned lease is disposed) and the suffix memory of <paramref name="memoryKey"/>; either key may be null.
    /// </summary>
    Task<DraftMemories> AcquireAsync(string? cacheKey, string? memoryKey, CancellationToken cancellationToken);

    /// <summary>
    /// Tells the store a generation finished under these keys (the local memories learned it already, through the
    /// drafters). Never throws for the store's own failures: memory is an optimisation.
    /// </summary>
    Task RecordAsync(string? cacheKey, string? memoryKey, ReadOnlyMemory<int> prompt, IReadOnlyList<int> output, CancellationToken cancellationToken);
}

/// <summary>The memories lent to one request; disposing gives the dynamic cache back.</summary>
public sealed class DraftMemories : IDisposable
{
    private readonly IDisposable? _release;

    /// <summary>Creates a lease.</summary>
    public DraftMemories(NgramCache? dynamicCache, SuffixMemory? suffixMemory, IDisposable? release)
    {
        DynamicCache = dynamicCache;
        SuffixMemory = suffixMemory;
        _release = release;
    }

    /// <summary>The key's dynamic n-gram cache, held exclusively by this request; null when none was asked for.</summary>
    public NgramCache? DynamicCache { get; }

    /// <summary>The key's suffix memory (shared, internally locked); null when none was asked for.</summary>
    public SuffixMemory? SuffixMemory { get; }

    /// <inheritdoc />
    public void Dispose() => _release?.Dispose();
}
