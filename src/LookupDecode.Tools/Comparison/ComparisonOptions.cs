using LookupDecode.Decoding;
using LookupDecode.Models;

namespace LookupDecode.Comparison;

/// <summary>How a comparison runs: the variants, the token budget and how many measured repeats.</summary>
public sealed record ComparisonOptions
{
    /// <summary>Variants to compare. The first plain (<see cref="Drafting.DraftingPlan.None"/>) variant is the baseline; one is added if none is given.</summary>
    public IReadOnlyList<ComparisonVariant> Variants { get; init; } = [];

    /// <summary>Tokens each run generates. Default 256.</summary>
    public int MaxTokens { get; init; } = 256;

    /// <summary>Measured runs per variant (the median is reported). Default 3.</summary>
    public int Repeats { get; init; } = 3;

    /// <summary>Run every variant once, unmeasured, before measuring (page in weights, warm caches). Default true.</summary>
    public bool WarmUp { get; init; } = true;

    /// <summary>Throws <see cref="InvalidOptionException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (Repeats is < 1 or > 1000)
        {
            throw new InvalidOptionException(nameof(Repeats), $"must be between 1 and 1000, was {Repeats}");
        }

        if (MaxTokens is < 1 or > ModelOptions.MaxContextSize)
        {
            throw new InvalidOptionException(nameof(MaxTokens), $"must be between 1 and {ModelOptions.MaxContextSize}, was {MaxTokens}");
        }

        var labels = new HashSet<string>(StringComparer.Ordinal);
        foreach (var variant in Variants)
        {
            if (!labels.Add(variant.Label))
            {
                throw new InvalidOptionException(nameof(Variants), $"label '{variant.Label}' appears twice");
            }

            (variant.Options with { MaxTokens = MaxTokens }).Validate();
        }
    }
}
