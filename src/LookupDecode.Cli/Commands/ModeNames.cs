using LookupDecode.Decoding;

namespace LookupDecode.Cli.Commands;

/// <summary>Command-line spelling of <see cref="DecodingMode"/> values.</summary>
internal static class ModeNames
{
    public static readonly string[] All = ["greedy", "prompt-lookup", "lookup", "auto"];

    public static DecodingMode Parse(string name) => name switch
    {
        "greedy" => DecodingMode.Greedy,
        "prompt-lookup" => DecodingMode.PromptLookup,
        "lookup" => DecodingMode.Lookup,
        "auto" => DecodingMode.Auto,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown mode"),
    };

    public static string Format(DecodingMode mode) => mode switch
    {
        DecodingMode.Greedy => "greedy",
        DecodingMode.PromptLookup => "prompt-lookup",
        DecodingMode.Lookup => "lookup",
        DecodingMode.Auto => "auto",
        _ => mode.ToString(),
    };
}
