using LookupDecode.Decoding;
using LookupDecode.Models;

namespace LookupDecode.Cli.Commands;

/// <summary>Command-line spelling of <see cref="DecodingMode"/> values (<see cref="DecodingModeNames"/>).</summary>
internal static class ModeNames
{
    public static readonly string[] All = [.. DecodingModeNames.All];

    public static DecodingMode Parse(string name) => DecodingModeNames.TryParse(name, out var mode)
        ? mode
        : throw new InvalidOptionException("--mode", $"unknown mode '{name}' (use {string.Join(", ", All)})");

    public static string Format(DecodingMode mode) => DecodingModeNames.Format(mode);
}
