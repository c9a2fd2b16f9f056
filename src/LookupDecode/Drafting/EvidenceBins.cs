namespace LookupDecode.Drafting;

/// <summary>
/// The bins drafters share when they build evidence classes (<see cref="IScoredDraftSource"/>): how long the match behind
/// a draft is, and where a token stands in its draft.
/// </summary>
internal static class EvidenceBins
{
    /// <summary>Bins of <see cref="MatchBin"/>.</summary>
    public const int MatchBins = 8;

    /// <summary>Bins of <see cref="PositionBin"/>.</summary>
    public const int PositionBins = 5;

    /// <summary>Match length in bins 1, 2, 3, 4-5, 6-8, 9-15, 16-31, 32+.</summary>
    public static int MatchBin(int length) => length switch { <= 1 => 0, 2 => 1, 3 => 2, < 6 => 3, < 9 => 4, < 16 => 5, < 32 => 6, _ => 7 };

    /// <summary>Position of a drafted token in its draft, in bins 0, 1, 2-3, 4-7, 8+.</summary>
    public static int PositionBin(int index) => index switch { 0 => 0, 1 => 1, < 4 => 2, < 8 => 3, _ => 4 };
}
