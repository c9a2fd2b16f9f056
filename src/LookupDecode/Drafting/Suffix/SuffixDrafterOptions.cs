using LookupDecode.Models;

namespace LookupDecode.Drafting.Suffix;

/// <summary>How <see cref="SuffixDrafter"/> chooses and stops a draft.</summary>
public sealed record SuffixDrafterOptions
{
    /// <summary>
    /// Occurrences whose match is at most this many tokens shorter than the longest also vote. Default 4 (on the
    /// Spec-Bench replay: 0 gives 1.96 tokens per step, 1 gives 1.99, 4 and more 2.00).
    /// </summary>
    public int MatchSlack { get; init; } = 4;

    /// <summary>Extra vote per token of match beyond the shortest kept. Default 0 (one occurrence, one vote).</summary>
    public double LengthWeight { get; init; }

    /// <summary>A drafted token after the first needs at least this share of the votes; below it the draft stops. Default 0.</summary>
    public double MinShare { get; init; }

    /// <summary>Draft at most this many tokens per token of match (SuffixDecoding's α); the draft's own limit still applies. Default 64.</summary>
    public double LengthPerMatchToken { get; init; } = 64;

    /// <summary>Draft length allowed whatever the match length. Default 1.</summary>
    public int MinLength { get; init; } = 1;

    /// <summary>Throws <see cref="InvalidOptionException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (MatchSlack is < 0 or > SuffixIndex.LongestMatch)
        {
            throw new InvalidOptionException(nameof(MatchSlack), $"must be between 0 and {SuffixIndex.LongestMatch}, was {MatchSlack}");
        }

        if (!double.IsFinite(LengthWeight) || LengthWeight < 0)
        {
            throw new InvalidOptionException(nameof(LengthWeight), $"must be a finite number ≥ 0, was {LengthWeight}");
        }

        if (!double.IsFinite(MinShare) || MinShare is < 0 or > 1)
        {
            throw new InvalidOptionException(nameof(MinShare), $"must be between 0 and 1, was {MinShare}");
        }

        if (!double.IsFinite(LengthPerMatchToken) || LengthPerMatchToken <= 0)
        {
            throw new InvalidOptionException(nameof(LengthPerMatchToken), $"must be a positive number, was {LengthPerMatchToken}");
        }

        if (MinLength is < 1 or > DraftingPlan.MaxSupportedLength)
        {
            throw new InvalidOptionException(nameof(MinLength), $"must be between 1 and {DraftingPlan.MaxSupportedLength}, was {MinLength}");
        }
    }
}
