namespace LookupDecode.Models;

/// <summary>The command-line names of <see cref="FlashAttention"/> (llama.cpp's <c>-fa</c> values), shared by the CLI and the benchmarks.</summary>
public static class FlashAttentionNames
{
    /// <summary>Every name an option accepts: "auto", "on", "off".</summary>
    public static IReadOnlyList<string> All { get; } = ["auto", "on", "off"];

    /// <summary>The setting a name stands for (anything but "on" and "off" is <see cref="FlashAttention.Auto"/>).</summary>
    public static FlashAttention Parse(string? name) => name switch { "on" => FlashAttention.Enabled, "off" => FlashAttention.Disabled, _ => FlashAttention.Auto };
}
