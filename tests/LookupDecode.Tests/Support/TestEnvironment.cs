using System.Runtime.CompilerServices;

namespace LookupDecode.Tests.Support;

/// <summary>Keeps the test run's stored calibrations out of the user's real cache directory.</summary>
internal static class TestEnvironment
{
    [ModuleInitializer]
    internal static void IsolateCaches()
        => Environment.SetEnvironmentVariable("LOOKUPDECODE_CACHE_DIR",
            Path.Combine(Path.GetTempPath(), $"lookupdecode-test-cache-{Environment.ProcessId}"));
}
