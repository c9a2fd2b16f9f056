using System.Collections.Concurrent;
using LookupDecode.Decoding;
using LookupDecode.Models;

namespace LookupDecode.Hosting;

/// <summary>
/// A bounded pool of <see cref="GenerationSession"/>s (llama.cpp contexts) over one model. At most
/// <see cref="Capacity"/> sessions exist; a caller beyond that waits (cancellably) for one to come back. Sessions are
/// created on first need and reused; each generation starts from a cleared KV cache, so a returned session is clean.
/// At most <see cref="MaxWaiting"/> callers wait; one more is refused at once with <see cref="SessionPoolFullException"/>,
/// so a server can answer "busy, retry later" instead of queueing without bound.
/// </summary>
public sealed class SessionPool : IDisposable
{
    private readonly LlamaModel _model;
    private readonly SemaphoreSlim _available;
    private readonly ConcurrentBag<GenerationSession> _idle = [];
    private readonly ConcurrentBag<GenerationSession> _all = [];
    private int _disposed;

    // Callers admitted: holding a session or waiting for one. Counted on entry and on return (never after a wake-up),
    // so a caller granted a session is never still counted as waiting when the next one arrives.
    private int _admitted;

    /// <summary>Creates a pool of at most <paramref name="capacity"/> sessions with at most <paramref name="maxWaiting"/> callers waiting.</summary>
    public SessionPool(LlamaModel model, int capacity, int maxWaiting = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxWaiting);
        _model = model;
        Capacity = capacity;
        MaxWaiting = maxWaiting;
        _available = new SemaphoreSlim(capacity, capacity);
    }

    /// <summary>Most callers waiting for a session at once; one more is refused with <see cref="SessionPoolFullException"/>.</summary>
    public int MaxWaiting { get; }

    /// <summary>Callers waiting for a session now.</summary>
    public int Waiting => Math.Max(0, Volatile.Read(ref _admitted) - Capacity);

    /// <summary>Sessions rented now.</summary>
    public int InUse => Capacity - _available.CurrentCount;

    /// <summary>Most sessions in use at once.</summary>
    public int Capacity { get; }

    /// <summary>Sessions not currently rented (created or not yet created).</summary>
    public int Available => _available.CurrentCount;

    /// <summary>Sessions created so far.</summary>
    public int Created => _all.Count;

    /// <summary>Waits for a session; dispose the lease to return it.</summary>
    /// <exception cref="SessionPoolFullException">Every session is busy and <see cref="MaxWaiting"/> callers already wait.</exception>
    public async Task<SessionLease> RentAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (Interlocked.Increment(ref _admitted) > (long)Capacity + MaxWaiting)
        {
            Interlocked.Decrement(ref _admitted);
            throw new SessionPoolFullException(Capacity, MaxWaiting);
        }

        try
        {
            await _available.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Interlocked.Decrement(ref _admitted);
            throw;
        }

        try
        {
            if (!_idle.TryTake(out var session))
            {
                session = _model.CreateSession();
                _all.Add(session);
            }

            return new SessionLease(this, session);
        }
        catch
        {
            _available.Release();
            Interlocked.Decrement(ref _admitted);
            throw;
        }
    }

    internal void Return(GenerationSession session)
    {
        _idle.Add(session);
        Interlocked.Decrement(ref _admitted);
        _available.Release();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var session in _all)
        {
            session.Dispose();
        }

        _available.Dispose();
    }
}

/// <summary>A rented session; disposing it returns the session to its pool (once).</summary>
public sealed class SessionLease : IDisposable
{
    private readonly SessionPool _pool;
    private int _returned;

    internal SessionLease(SessionPool pool, GenerationSession session)
    {
        _pool = pool;
        Session = session;
    }

    /// <summary>The rented session.</summary>
    public GenerationSession Session { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _returned, 1) == 0)
        {
            _pool.Return(Session);
        }
    }
}
