namespace LookupDecode.Hosting;

/// <summary>
/// The host's bound on requests in flight: generating, waiting for a sequence, or waiting for their key's dynamic cache
/// (held by an earlier request on the same key). At most <see cref="LookupDecodeOptions.MaxConcurrentRequests"/> +
/// <see cref="LookupDecodeOptions.MaxQueuedRequests"/> are admitted, whatever they wait on; the next is refused at once.
/// </summary>
internal sealed class RequestAdmission(int capacity, int maxWaiting, Func<Exception> full)
{
    private int _admitted;

    /// <summary>Requests admitted and not yet finished.</summary>
    public int Admitted => Volatile.Read(ref _admitted);

    /// <summary>Admits one request until the returned ticket is disposed; throws the exception the host was given when the bound is reached.</summary>
    public IDisposable Enter()
    {
        if (Interlocked.Increment(ref _admitted) > capacity + maxWaiting)
        {
            Interlocked.Decrement(ref _admitted);
            throw full();
        }

        return new Ticket(this);
    }

    private sealed class Ticket(RequestAdmission admission) : IDisposable
    {
        private int _left;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0)
            {
                Interlocked.Decrement(ref admission._admitted);
            }
        }
    }
}
