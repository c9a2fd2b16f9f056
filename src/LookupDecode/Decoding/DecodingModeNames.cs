namespace LookupDecode.Decoding;

/// <summary>The spelling of <see cref="DecodingMode"/> values on command lines, in reports and in chat options.</summary>
public static class DecodingModeNames
{
    /// <summary>Every mode's name: greedy, prompt-lookup, lookup, auto.</summary>
    public static IReadOnlyList<string> All { get; } = ["greedy", "prompt-lookup", "lookup", "auto"];

    /// <summary>The name of <paramref name="mode"/>.</summary>
    public static string Format(DecodingMode mode) => mode switch
    {
        DecodingMode.Greedy => "greedy",
        DecodingMode.PromptLookup => "prompt-lookup",
        DecodingMode.Lookup => "lookup",
        DecodingMode.Auto => "auto",
        _ => mode.ToString(),
    };

    /// <summary>The mode called <paramref name="name"/> (case-insensitive), or false.</summary>
    public static bool TryParse(string? name, out DecodingMode mode)
    {
        switch (name?.ToLowerInvariant())
        {
            case "greedy":
                mode = DecodingMode.Greedy;
                return true;
            case "prompt-lookup" or "promptlookup":
                mode = DecodingMode.PromptLookup;
                return true;
            case "lookup":
                mode = DecodingMode.Lookup;
                return true;
            case "auto":
                mode = DecodingMode.Auto;
                return true;
            default:
                mode = default;
                return false;
        }
    }
}
