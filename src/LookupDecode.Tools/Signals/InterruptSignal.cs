using System.Runtime.InteropServices;

namespace LookupDecode.Signals;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM cancel <see cref="Token"/> instead of killing the program, so a command or benchmark
/// stops within a step and keeps (or reports) what it did; a second signal ends the process as usual. One handler for
/// the CLI and the bench programs.
/// </summary>
public sealed class InterruptSignal : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;

    /// <summary>Starts listening for SIGINT and SIGTERM until disposed.</summary>
    public InterruptSignal()
    {
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
    }

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>True once a signal asked to stop.</summary>
    public bool Requested => _source.IsCancellationRequested;

    /// <inheritdoc />
    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _source.Dispose();
    }

    private void Cancel(PosixSignalContext context)
    {
        if (_source.IsCancellationRequested)
        {
            return;
        }

        context.Cancel = true;
        _source.Cancel();
    }
}
