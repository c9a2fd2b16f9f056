using LookupDecode.Decoding;
using LookupDecode.Drafting;

namespace LookupDecode.Replay;

/// <summary>
/// One way of drafting judged by replay: a <see cref="DraftingPresets"/> name applied to generation options, or
/// <c>oracle</c>, the bound on length policies (both drafters, verifying exactly the drafts that will be accepted).
/// </summary>
/// <param name="Name">The preset name as given.</param>
/// <param name="Options">Generation options carrying the preset's plan (drafters, length policy, maximum length).</param>
/// <param name="IsOracle">True for the oracle, which needs the recorded answer and exists only in replay.</param>
public sealed record ReplayVariant(string Name, GenerationOptions Options, bool IsOracle)
{
    /// <summary>The oracle's name.</summary>
    public const string OracleName = "oracle";

    /// <summary>The variant called <paramref name="name"/>, built on <paramref name="template"/> (caches, limits).</summary>
    /// <exception cref="Models.InvalidOptionException">No preset has that name.</exception>
    public static ReplayVariant Parse(string name, GenerationOptions? template = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        template ??= new GenerationOptions();
        return string.Equals(name, OracleName, StringComparison.OrdinalIgnoreCase)
            ? new ReplayVariant(OracleName, template with { Drafting = DraftingPresets.Get("auto") with { Name = OracleName } }, IsOracle: true)
            : new ReplayVariant(name, WithOwnMemory(template with { Drafting = DraftingPresets.Get(name) }), IsOracle: false);
    }

    /// <summary>
    /// A variant that drafts with suffix memory remembers the turns it replayed before, as a server remembers earlier
    /// requests: each such variant gets a memory of its own (unless the template brings one), so variants never share.
    /// </summary>
    private static GenerationOptions WithOwnMemory(GenerationOptions options)
        => options.SuffixMemory is null && options.Drafting.Drafters.Contains(DraftingPlan.Suffix)
            ? options with { SuffixMemory = new Drafting.Suffix.SuffixMemory() }
            : options;

    /// <summary>True for plain decoding (no drafts).</summary>
    public bool IsGreedy => !IsOracle && Options.Drafting.IsGreedy;
}
