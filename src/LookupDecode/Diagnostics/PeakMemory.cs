using System.Diagnostics;
using System.Globalization;

namespace LookupDecode.Diagnostics;

/// <summary>
/// Process peak resident memory (RSS: weights that were touched, KV cache, compute buffers, managed heap).
/// On Linux the peak can be reset (<c>/proc/self/clear_refs</c>), so each generation reports its own peak
/// even when several run in one process; elsewhere the process-lifetime peak is reported.
/// </summary>
public static class PeakMemory
{
    private const string StatusPath = "/proc/self/status";
    private const string ClearRefsPath = "/proc/self/clear_refs";

    /// <summary>Whether <see cref="Reset"/> actually resets the peak on this platform.</summary>
    public static bool CanReset { get; } = OperatingSystem.IsLinux() && File.Exists(ClearRefsPath);

    /// <summary>Starts a new peak measurement from the current resident size (no-op where unsupported).</summary>
    public static void Reset()
    {
        if (!CanReset)
        {
            return;
        }

        try
        {
            File.WriteAllText(ClearRefsPath, "5");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Not allowed in this sandbox: the lifetime peak is still a valid (larger) upper bound.
        }
    }

    /// <summary>Peak resident set size in bytes since the last <see cref="Reset"/> (or process start).</summary>
    public static long PeakBytes()
    {
        if (OperatingSystem.IsLinux() && ReadStatusKilobytes("VmHWM:") is { } peak)
        {
            return peak * 1024;
        }

        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }

    /// <summary>Current resident set size in bytes.</summary>
    public static long CurrentBytes()
    {
        if (OperatingSystem.IsLinux() && ReadStatusKilobytes("VmRSS:") is { } current)
        {
            return current * 1024;
        }

        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    private static long? ReadStatusKilobytes(string field)
    {
        try
        {
            foreach (var line in File.ReadLines(StatusPath))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    var number = line[field.Length..].Trim().Split(' ')[0];
                    return long.Parse(number, CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException)
        {
        }

        return null;
    }
}
