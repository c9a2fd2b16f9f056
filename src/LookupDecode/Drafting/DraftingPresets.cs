using LookupDecode.Decoding;
using LookupDecode.Models;

namespace LookupDecode.Drafting;

/// <summary>
/// Named ways to draft, in one table: each name sets the drafters, the length policy and the maximum length on top of a
/// caller's options (which keep their caches, sampling and limits). <c>greedy</c>, <c>prompt-lookup</c>, <c>lookup</c>,
/// <c>auto</c>; <c>pld</c> is prompt lookup as Spec-Bench ran it (longest n-gram ≤ 3, earliest match, 10 tokens, fixed) and
/// <c>llama-lookup</c> upstream's lookup drafter at its default draft of 3; any drafting name followed by <c>-dN</c> drafts a
/// fixed N tokens (<c>lookup-d10</c>), and <c>-auto</c> adaptively (<c>lookup-auto</c>).
/// </summary>
public static class DraftingPresets
{
    /// <summary>Most drafts an adaptive step may verify.</summary>
    public const int AdaptiveMaxLength = 16;

    private static readonly (string Name, string Description, Func<GenerationOptions, GenerationOptions> Apply)[] Table =
    [
        ("greedy", "plain decoding, no drafts", options => options with { Mode = DecodingMode.Greedy }),
        ("prompt-lookup", "Hugging Face prompt lookup with the options' n-gram settings, adaptive length", options => Adaptive(options, DecodingMode.PromptLookup)),
        ("lookup", "llama.cpp's lookup n-gram caches, adaptive length", options => Adaptive(options, DecodingMode.Lookup)),
        ("auto", "both drafters, the better proposal and its length chosen per step by expected tokens per unit of cost", options => Adaptive(options, DecodingMode.Auto)),
        ("pld", "prompt lookup as Spec-Bench ran it: n-gram ≤ 3, earliest match, 10 tokens", options => options with
        {
            Mode = DecodingMode.PromptLookup,
            DraftPolicy = DraftPolicy.Fixed,
            DraftLength = 10,
            PromptLookup = new PromptLookupOptions { MaxNgramSize = 3, MinNgramSize = 1, Match = PromptLookupMatch.Earliest },
        }),
        ("llama-lookup", "upstream llama-lookup's drafter at its default draft of 3", options => options with
        {
            Mode = DecodingMode.Lookup,
            DraftPolicy = DraftPolicy.Fixed,
            DraftLength = 3,
        }),
    ];

    /// <summary>The preset names, each with what it does.</summary>
    public static IReadOnlyList<(string Name, string Description)> Names { get; } = [.. Table.Select(row => (row.Name, row.Description))];

    /// <summary>Applies the preset <paramref name="name"/> (or <c>name-dN</c>, <c>name-auto</c>) to <paramref name="options"/>.</summary>
    /// <exception cref="InvalidOptionException">No preset has that name, or N is out of range.</exception>
    public static GenerationOptions Apply(string name, GenerationOptions options)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(options);
        if (TryFind(name, out var apply))
        {
            return apply(options);
        }

        var dash = name.LastIndexOf('-');
        if (dash > 0 && TryFind(name[..dash], out var baseApply) && !name.StartsWith("greedy", StringComparison.OrdinalIgnoreCase))
        {
            var suffix = name[(dash + 1)..];
            if (suffix.Equals("auto", StringComparison.OrdinalIgnoreCase))
            {
                return baseApply(options) with { DraftPolicy = DraftPolicy.Adaptive, DraftLength = AdaptiveMaxLength };
            }

            if (suffix.Length > 1 && suffix[0] is 'd' or 'D'
                && int.TryParse(suffix.AsSpan(1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var length))
            {
                if (length is < 1 or > GenerationOptions.MaxDraftLength)
                {
                    throw new InvalidOptionException("preset", $"'{name}': draft length must be between 1 and {GenerationOptions.MaxDraftLength}");
                }

                var applied = baseApply(options);
                return applied with { DraftPolicy = applied.Mode == DecodingMode.Auto ? DraftPolicy.Adaptive : DraftPolicy.Fixed, DraftLength = length };
            }
        }

        throw new InvalidOptionException("preset",
            $"unknown preset '{name}' (use {string.Join(", ", Table.Select(row => row.Name))}, or a drafting preset followed by -dN or -auto)");
    }

    /// <summary>True when <paramref name="name"/> is a preset (or a <c>-dN</c>/<c>-auto</c> form of one).</summary>
    public static bool IsKnown(string name)
    {
        try
        {
            Apply(name, new GenerationOptions());
            return true;
        }
        catch (InvalidOptionException)
        {
            return false;
        }
    }

    private static GenerationOptions Adaptive(GenerationOptions options, DecodingMode mode)
        => options with { Mode = mode, DraftPolicy = DraftPolicy.Adaptive, DraftLength = AdaptiveMaxLength };

    private static bool TryFind(string name, out Func<GenerationOptions, GenerationOptions> apply)
    {
        foreach (var row in Table)
        {
            if (string.Equals(row.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                apply = row.Apply;
                return true;
            }
        }

        apply = null!;
        return false;
    }
}
