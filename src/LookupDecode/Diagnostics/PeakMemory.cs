using System.Diagnostics;
using System.Globalization;

namespace LookupDecode.Diagnostics;

/// <summary>
/// Process resident memory (RSS: weights that were touched, KV cache, compute buffers, managed heap): now, and the
/// process-lifetime peak. A generation's own peak is <see cref="Decoding.GenerationStatistics.PeakMemoryBytes"/>, sampled
/// during it (no process-wide reset, which would disturb generations running beside it).
/// </summary>
public static class PeakMemory
{
    private const string StatusPath = "/proc/self/status";

    /// <summary>Peak resident set size of the process in bytes since it started.</summary>
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
