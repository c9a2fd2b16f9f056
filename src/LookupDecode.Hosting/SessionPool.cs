using System.Collections.Concurrent;
using LookupDecode.Decoding;
using LookupDecode.Models;

namespace LookupDecode.Hosting;

/// <summary>
/// A bounded pool of <see cref="GenerationSession"/>s (llama.cpp contexts) over one model. At most
/// <see cref="Capacity"/> sessions exist; a caller beyond that waits (cancellably) for one to come back. Sessions are
/// created on first need and reused; each generation starts from a cleared KV cache, so a returned session is clean.
/// </summary>
public sealed class SessionPool : IDisposable
{
    private readonly LlamaModel _model;
    private readonly SemaphoreSlim _available;
    private readonly ConcurrentBag<GenerationSession> _idle = [];
    private readonly ConcurrentBag<GenerationSession> _all = [];
    private int _disposed;

    /// <summary>Creates a pool of at most <paramref name="capacity"/> sessions.</summary>
    public SessionPool(LlamaModel model, int capacity)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _model = model;
        Capacity = capacity;
        _available = new SemaphoreSlim(capacity, capacity);
    }

    /// <summary>Most sessions in use at once.</summary>
    public int Capacity { get; }

    /// <summary>Sessions not currently rented (created or not yet created).</summary>
    public int Available => _available.CurrentCount;

    /// <summary>Sessions created so far.</summary>
    public int Created => _all.Count;

    /// <summary>Waits for a session; dispose the lease to return it.</summary>
    public async Task<SessionLease> RentAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await _available.WaitAsync(cancellationToken).ConfigureAwait(false);
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
            throw;
        }
    }

    internal void Return(GenerationSession session)
    {
        _idle.Add(session);
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
