using Microsoft.Win32.SafeHandles;

namespace LookupDecode.Diagnostics;

/// <summary>
/// The peak resident memory one generation saw: the largest resident set size sampled during it (after the prefill,
/// every <see cref="SampleInterval"/> decodes and at the end). Unlike the kernel's high-water mark it needs no
/// process-wide reset, so generations running side by side in one process (pooled sessions) never reset each other's
/// figure. On Linux a sample reads <c>/proc/self/statm</c> through one handle into a reused buffer (no allocation, a few
/// µs); elsewhere it asks the process object.
/// </summary>
internal sealed class ResidentMemory
{
    /// <summary>Decode steps between samples.</summary>
    public const int SampleInterval = 16;

    private static readonly SafeFileHandle? Statm = OpenStatm();
    private readonly byte[] _buffer = new byte[128];
    private int _steps;

    /// <summary>The largest resident size sampled so far, in bytes.</summary>
    public long PeakBytes { get; private set; }

    /// <summary>Samples now.</summary>
    public void Sample() => PeakBytes = Math.Max(PeakBytes, CurrentBytes());

    /// <summary>Counts a decode step and samples every <see cref="SampleInterval"/> of them.</summary>
    public void Step()
    {
        if (++_steps % SampleInterval == 0)
        {
            Sample();
        }
    }

    private long CurrentBytes()
    {
        if (Statm is { } handle)
        {
            try
            {
                var length = RandomAccess.Read(handle, _buffer, 0);
                if (ResidentPages(_buffer.AsSpan(0, length)) is { } pages)
                {
                    return pages * Environment.SystemPageSize;
                }
            }
            catch (IOException)
            {
            }
        }

        return PeakMemory.CurrentBytes();
    }

    /// <summary>The second field of statm: resident pages.</summary>
    private static long? ResidentPages(ReadOnlySpan<byte> statm)
    {
        var space = statm.IndexOf((byte)' ');
        if (space < 0)
        {
            return null;
        }

        long pages = 0;
        var digits = 0;
        foreach (var character in statm[(space + 1)..])
        {
            if (character is < (byte)'0' or > (byte)'9')
            {
                break;
            }

            pages = (pages * 10) + (character - '0');
            digits++;
        }

        return digits > 0 ? pages : null;
    }

    private static SafeFileHandle? OpenStatm()
    {
        try
        {
            return OperatingSystem.IsLinux() ? File.OpenHandle("/proc/self/statm") : null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
