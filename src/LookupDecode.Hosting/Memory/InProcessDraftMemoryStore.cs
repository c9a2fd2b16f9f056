namespace LookupDecode.Hosting.Memory;

/// <summary>
/// The default store: the dynamic caches (<see cref="ModelHost.DynamicCaches"/>, saved to a directory if configured) and
/// suffix memories (<see cref="ModelHost.SuffixMemories"/>) of this process; nothing is shared with other processes.
/// </summary>
public sealed class InProcessDraftMemoryStore : IDraftMemoryStore
{
    private readonly ModelHost _host;

    /// <summary>Created by DI.</summary>
    public InProcessDraftMemoryStore(ModelHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        _host = host;
    }

    /// <inheritdoc />
    public async Task<DraftMemories> AcquireAsync(string? cacheKey, string? memoryKey, CancellationToken cancellationToken)
    {
        var cache = cacheKey is null ? null : await _host.DynamicCaches.AcquireAsync(cacheKey, cancellationToken).ConfigureAwait(false);
        return new DraftMemories(cache?.Cache, memoryKey is null ? null : _host.SuffixMemories.Get(memoryKey), cache);
    }

    /// <inheritdoc />
    public Task RecordAsync(string? cacheKey, string? memoryKey, ReadOnlyMemory<int> prompt, IReadOnlyList<int> output, CancellationToken cancellationToken)
        => Task.CompletedTask;
}
