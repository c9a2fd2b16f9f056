namespace LookupDecode.Models;

/// <summary>The command-line names of <see cref="KvCacheType"/>, shared by the CLI and the benchmarks.</summary>
public static class KvCacheTypeNames
{
    /// <summary>Every name an option accepts: "auto", "f16", "q8_0".</summary>
    public static IReadOnlyList<string> All { get; } = ["auto", "f16", "q8_0"];

    /// <summary>The cache type a name stands for (anything but "f16" and "q8_0" is <see cref="KvCacheType.Auto"/>).</summary>
    public static KvCacheType Parse(string? name) => name switch { "f16" => KvCacheType.F16, "q8_0" => KvCacheType.Q8_0, _ => KvCacheType.Auto };
}
