using LookupDecode.Models;

namespace LookupDecode.Drafting;

/// <summary>
/// Named drafting plans, in one table that the CLI, Hosting, <c>compare</c>, bench and replay all read: <c>greedy</c>,
/// <c>prompt-lookup</c>, <c>lookup</c>, <c>auto</c>, <c>pld</c> (prompt lookup as Spec-Bench ran it: longest n-gram ≤ 3,
/// earliest match, 10 tokens, fixed) and <c>llama-lookup</c> (upstream's lookup drafter at its default draft of 3). Any
/// drafting name followed by <c>-dN</c> drafts a fixed N tokens (<c>lookup-d10</c>), and by <c>-auto</c> adaptively.
/// A new drafter is one <see cref="DrafterFactory"/> and one line here.
/// </summary>
public static class DraftingPresets
{
    /// <summary>Most drafts an adaptive step may verify.</summary>
    public const int AdaptiveMaxLength = 16;

    private static readonly (string Name, string Description, DraftingPlan Plan)[] Table =
    [
        ("greedy", "plain decoding, no drafts", DraftingPlan.None),
        ("prompt-lookup", "Hugging Face prompt lookup (earlier occurrences of the last n-gram), adaptive length",
            DraftingPlan.AdaptiveOver(AdaptiveMaxLength, DraftingPlan.PromptLookup)),
        ("lookup", "llama.cpp's lookup n-gram caches (context, dynamic, static), adaptive length",
            DraftingPlan.AdaptiveOver(AdaptiveMaxLength, DraftingPlan.Lookup)),
        ("auto", "every drafter (lookup caches, prompt lookup, suffix chains and suffix token trees, and the draft model when one is given); the best proposal, chain or tree, and its size chosen per step by expected tokens per unit of cost",
            DraftingPlan.AdaptiveOver(AdaptiveMaxLength, DraftingPlan.Lookup, DraftingPlan.PromptLookup, DraftingPlan.Suffix) with { Tree = true, IncludesGivenDraftModel = true }),
        ("pld", "prompt lookup as Spec-Bench ran it: n-gram ≤ 3, earliest match, 10 tokens, fixed",
            DraftingPlan.Fixed(10, context => new PromptLookupDrafter(new PromptLookupOptions(), context.IsEndOfGeneration))),
        ("llama-lookup", "upstream llama-lookup's drafter at its default draft of 3, fixed",
            DraftingPlan.Fixed(3, DraftingPlan.Lookup)),
        ("draft-model", "a small draft model with the target's vocabulary drafts greedily until its confidence falls below --draft-p-min, up to 16, fixed (llama-speculative's defaults)",
            DraftingPlan.Fixed(16, DraftingPlan.DraftModel)),
        ("suffix", "suffix drafting (longest earlier match in the prompt, the output and earlier outputs; majority continuation), one chain of up to 32, fixed",
            DraftingPlan.Fixed(32, DraftingPlan.Suffix)),
        ("tree", "suffix drafting's candidate continuations as a token tree of up to 32 tokens (16 branches) verified in one batch; the longest confirmed branch is kept (for GPU-like flat verification costs)",
            DraftingPlan.TreeOver(32, DraftingPlan.Suffix)),
    ];

    /// <summary>The preset names, each with what it does.</summary>
    public static IReadOnlyList<(string Name, string Description)> Names { get; } = [.. Table.Select(row => (row.Name, row.Description))];

    /// <summary>The names alone.</summary>
    public static IReadOnlyList<string> AllNames { get; } = [.. Table.Select(row => row.Name)];

    /// <summary>The plan called <paramref name="name"/> (or <c>name-dN</c>, <c>name-auto</c>).</summary>
    /// <exception cref="InvalidOptionException">No preset has that name, or N is out of range.</exception>
    public static DraftingPlan Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (TryFind(name, out var plan))
        {
            return plan;
        }

        var dash = name.LastIndexOf('-');
        if (dash > 0 && TryGetBase(name[..dash], out var basePlan) && !basePlan.IsGreedy)
        {
            var suffix = name[(dash + 1)..];
            if (suffix.Equals("auto", StringComparison.OrdinalIgnoreCase))
            {
                return basePlan.WithAdaptiveLength(AdaptiveMaxLength) with { Name = name };
            }

            if (suffix.Length > 1 && suffix[0] is 'd' or 'D'
                && int.TryParse(suffix.AsSpan(1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var length))
            {
                if (length is < 1 or > DraftingPlan.MaxSupportedLength)
                {
                    throw new InvalidOptionException("preset", $"'{name}': draft length must be between 1 and {DraftingPlan.MaxSupportedLength}");
                }

                return WithLength(basePlan, length) with { Name = name };
            }
        }

        throw new InvalidOptionException("preset",
            $"unknown preset '{name}' (use {string.Join(", ", AllNames)}, or a drafting preset followed by -dN or -auto)");
    }

    /// <summary>
    /// <paramref name="plan"/> with the draft length a user asked for: <c>null</c> keeps the plan's own; a number fixes it,
    /// except that a plan choosing among several drafters stays adaptive with that maximum. Plain decoding stays plain,
    /// but the number is checked either way.
    /// </summary>
    /// <exception cref="InvalidOptionException">The length is outside 1…<see cref="DraftingPlan.MaxSupportedLength"/> (option "DraftLength").</exception>
    public static DraftingPlan WithLength(DraftingPlan plan, int? length)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (length is < 1 or > DraftingPlan.MaxSupportedLength)
        {
            throw new InvalidOptionException("DraftLength", $"must be between 1 and {DraftingPlan.MaxSupportedLength}, was {length}");
        }

        return length is not { } fixedLength || plan.IsGreedy ? plan
            : plan.Adaptive && plan.Drafters.Count > 1 ? plan.WithAdaptiveLength(fixedLength)
            : plan.WithFixedLength(fixedLength);
    }

    /// <summary>True when <paramref name="name"/> is a preset (or a <c>-dN</c>/<c>-auto</c> form of one).</summary>
    public static bool IsKnown(string name)
    {
        try
        {
            Get(name);
            return true;
        }
        catch (InvalidOptionException)
        {
            return false;
        }
    }

    /// <summary>A preset or a suffixed form of one (so "lookup-d5-auto" builds on "lookup-d5").</summary>
    private static bool TryGetBase(string name, out DraftingPlan plan)
    {
        if (TryFind(name, out plan))
        {
            return true;
        }

        try
        {
            plan = Get(name);
            return true;
        }
        catch (InvalidOptionException)
        {
            plan = DraftingPlan.None;
            return false;
        }
    }

    private static bool TryFind(string name, out DraftingPlan plan)
    {
        foreach (var row in Table)
        {
            if (string.Equals(row.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                plan = row.Plan with { Name = row.Name };
                return true;
            }
        }

        plan = DraftingPlan.None;
        return false;
    }
}
