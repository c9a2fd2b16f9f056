namespace LookupDecode.Comparison;

/// <summary>One variant's figures in a comparison (medians over the measured repeats).</summary>
/// <param name="Label">The variant's label.</param>
/// <param name="TokensPerSecond">Median generated tokens per second of decode time.</param>
/// <param name="Speedup">Median tokens/s divided by the baseline's median tokens/s (1 for the baseline).</param>
/// <param name="PeakMemoryMegabytes">Highest peak resident memory seen in the variant's runs, in MiB (each run measures its own peak).</param>
/// <param name="Drafted">Draft tokens per run (upstream <c>n_drafted</c>; the same every repeat).</param>
/// <param name="Accepted">Accepted draft tokens per run (upstream <c>n_accept</c>).</param>
/// <param name="AcceptPercent">100 × accepted / drafted.</param>
/// <param name="MeanAcceptLength">Accepted tokens per verify step.</param>
/// <param name="DecodeCalls">llama_decode calls per run after prefill.</param>
/// <param name="GeneratedTokens">Tokens generated per run.</param>
/// <param name="IdenticalToBaseline">True when every run produced exactly the baseline's tokens.</param>
/// <param name="TokensPerSecondRuns">Tokens/s of each measured repeat, in order.</param>
/// <param name="Fallback">Set when drafting was switched off (see <see cref="Decoding.GenerationStatistics.DraftingFallback"/>).</param>
/// <param name="ManagedOverheadShare">Median managed time per step as a share of native decode time per step.</param>
public sealed record ComparisonRow(
    string Label,
    double TokensPerSecond,
    double Speedup,
    double PeakMemoryMegabytes,
    int Drafted,
    int Accepted,
    double AcceptPercent,
    double MeanAcceptLength,
    int DecodeCalls,
    int GeneratedTokens,
    bool IdenticalToBaseline,
    IReadOnlyList<double> TokensPerSecondRuns,
    string? Fallback,
    double ManagedOverheadShare = 0)
{
    /// <summary>Slowest measured repeat (tokens/s): with <see cref="TokensPerSecondMax"/>, the spread that tells a real speedup from noise.</summary>
    public double TokensPerSecondMin => TokensPerSecondRuns.Count > 0 ? TokensPerSecondRuns.Min() : 0;

    /// <summary>Fastest measured repeat (tokens/s).</summary>
    public double TokensPerSecondMax => TokensPerSecondRuns.Count > 0 ? TokensPerSecondRuns.Max() : 0;
}

/// <summary>A whole comparison: one row per variant, baseline first.</summary>
/// <param name="Rows">The rows.</param>
/// <param name="PromptTokens">Tokens in the prompt.</param>
/// <param name="Repeats">Measured repeats per variant.</param>
public sealed record ComparisonResult(IReadOnlyList<ComparisonRow> Rows, int PromptTokens, int Repeats)
{
    /// <summary>True when the comparison was stopped early; the rows cover the repeats every variant completed.</summary>
    public bool Cancelled { get; init; }

    /// <summary>The baseline row (plain decoding).</summary>
    public ComparisonRow Baseline => Rows[0];

    /// <summary>A row's peak memory minus plain decoding's, in MiB: what drafting costs in memory.</summary>
    public double PeakMemoryDeltaMegabytes(ComparisonRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.PeakMemoryMegabytes - Baseline.PeakMemoryMegabytes;
    }

    /// <summary>True when every variant reproduced the baseline's tokens in every run.</summary>
    public bool AllIdentical => Rows.All(row => row.IdenticalToBaseline);
}
