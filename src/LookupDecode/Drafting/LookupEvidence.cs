namespace LookupDecode.Drafting;

/// <summary>
/// Evidence classes of <see cref="NgramCacheDrafter"/>'s tokens: which cache drafted it (context, dynamic, static),
/// the n-gram size, the winner's share of the samples and how many samples there were.
/// </summary>
internal static class LookupEvidence
{
    public const int Context = 0;
    public const int Dynamic = 1;
    public const int Static = 2;

    private const int Sources = 3;
    private const int Sizes = 4;
    private const int ShareBins = 4;
    private const int TotalBins = 3;

    public const int ClassCount = Sources * Sizes * ShareBins * TotalBins;

    public static int Classify(int source, int ngramSize, long count, long total)
    {
        var share = total > 0 ? (double)count / total : 0;
        var shareBin = share < 0.67 ? 0 : share < 0.8 ? 1 : share < 0.95 ? 2 : 3;
        var totalBin = total <= 2 ? 0 : total <= 5 ? 1 : 2;
        return (((((source * Sizes) + (Math.Clamp(ngramSize, 1, Sizes) - 1)) * ShareBins) + shareBin) * TotalBins) + totalBin;
    }

    /// <summary>A starting guess: the winner's share, discounted for few samples and short n-grams.</summary>
    public static double Prior(int evidenceClass)
    {
        var totalBin = evidenceClass % TotalBins;
        var shareBin = evidenceClass / TotalBins % ShareBins;
        var size = (evidenceClass / (TotalBins * ShareBins) % Sizes) + 1;
        var share = shareBin switch { 0 => 0.55, 1 => 0.72, 2 => 0.87, _ => 0.98 };
        var samples = totalBin switch { 0 => 0.6, 1 => 0.8, _ => 0.9 };
        var context = size switch { 1 => 0.6, 2 => 0.8, _ => 0.9 };
        return share * samples * context;
    }
}
