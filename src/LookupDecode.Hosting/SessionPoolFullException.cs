namespace LookupDecode.Hosting;

/// <summary>
/// Every session of a <see cref="SessionPool"/> is busy and its waiting line is full: the request was refused before
/// any work. Retry later (a server answers 429 with <c>Retry-After</c>), or raise
/// <see cref="LookupDecodeOptions.MaxQueuedRequests"/>.
/// </summary>
public sealed class SessionPoolFullException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public SessionPoolFullException(int capacity, int maxWaiting)
        : base($"All {capacity} sessions are busy and {maxWaiting} requests already wait; retry later (or raise LookupDecode:MaxQueuedRequests).")
    {
        Capacity = capacity;
        MaxWaiting = maxWaiting;
    }

    /// <summary>Sessions of the pool.</summary>
    public int Capacity { get; }

    /// <summary>The waiting line's bound.</summary>
    public int MaxWaiting { get; }
}
