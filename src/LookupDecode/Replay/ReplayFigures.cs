namespace LookupDecode.Replay;

/// <summary>
/// What one drafting variant did over a set of replayed turns. A step is one forward pass of the model: the prefill that
/// yields each turn's first token, then every decode (plain or verifying drafts).
/// </summary>
public sealed record ReplayFigures
{
    /// <summary>Turns replayed.</summary>
    public int Turns { get; init; }

    /// <summary>Tokens emitted.</summary>
    public long Tokens { get; init; }

    /// <summary>Forward passes: one prefill per turn plus every decode call.</summary>
    public long Steps { get; init; }

    /// <summary>Drafted tokens verified.</summary>
    public long Drafted { get; init; }

    /// <summary>Drafted tokens accepted.</summary>
    public long Accepted { get; init; }

    /// <summary>Decode cost predicted by the cost curve, in single-token decodes: Σ T(k)/T(1) over decode calls.</summary>
    public double PredictedCost { get; init; }

    /// <summary>Decode calls plain decoding needs for the same tokens (every token after each turn's first).</summary>
    public long PlainCost { get; init; }

    /// <summary>Measured decode wall time (forced replay only; zero offline).</summary>
    public TimeSpan DecodeTime { get; init; }

    /// <summary>
    /// How many steps emitted each number of tokens: entry i counts steps that emitted i tokens (entry 0 is unused).
    /// Offline replay only; empty for forced replay.
    /// </summary>
    public IReadOnlyList<long> StepHistogram { get; init; } = [];

    /// <summary>Mean tokens per step, the model's own token included: 1.00 is plain decoding.</summary>
    public double MeanAcceptedTokens => Steps > 0 ? (double)Tokens / Steps : 0;

    /// <summary>Accepted drafts as a percentage of verified drafts.</summary>
    public double AcceptPercent => Drafted > 0 ? 100.0 * Accepted / Drafted : 0;

    /// <summary>Speedup over plain decoding the cost curve predicts.</summary>
    public double PredictedSpeedup => PredictedCost > 0 ? PlainCost / PredictedCost : 1;

    /// <summary>Sums two sets of figures.</summary>
    public static ReplayFigures operator +(ReplayFigures left, ReplayFigures right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        return new ReplayFigures
        {
            Turns = left.Turns + right.Turns,
            Tokens = left.Tokens + right.Tokens,
            Steps = left.Steps + right.Steps,
            Drafted = left.Drafted + right.Drafted,
            Accepted = left.Accepted + right.Accepted,
            PredictedCost = left.PredictedCost + right.PredictedCost,
            PlainCost = left.PlainCost + right.PlainCost,
            DecodeTime = left.DecodeTime + right.DecodeTime,
            StepHistogram = AddHistograms(left.StepHistogram, right.StepHistogram),
        };
    }

    private static long[] AddHistograms(IReadOnlyList<long> left, IReadOnlyList<long> right)
    {
        var sum = new long[Math.Max(left.Count, right.Count)];
        for (var i = 0; i < sum.Length; i++)
        {
            sum[i] = (i < left.Count ? left[i] : 0) + (i < right.Count ? right[i] : 0);
        }

        return sum;
    }

    /// <summary>No turns.</summary>
    public static ReplayFigures Empty { get; } = new();
}
