namespace LookupDecode.Drafting;

/// <summary>
/// How many drafted tokens to verify, including none: the n that maximises expected emitted tokens minus their cost
/// at the current exchange rate, E[n] − λ·c(n + 1), where E[n] = 1 + Σᵢ≤ₙ Πⱼ≤ᵢ pⱼ (the correction token always comes,
/// and draft i counts only if drafts 1…i are all accepted), c(k) = T(k)/T(1), and λ is the throughput being earned
/// (tokens per single-token decode; 1 for plain decoding). With λ = 1, drafting pays exactly when it beats plain
/// decoding in expectation; a larger λ asks each step to keep up with the rate already reached.
/// </summary>
public static class DraftLengthPolicy
{
    /// <summary>The best draft length for acceptance probabilities <paramref name="acceptance"/> (conditional, position by position).</summary>
    /// <param name="acceptance">pᵢ for i = 1…N: probability that draft i is accepted given drafts 1…i−1 were.</param>
    /// <param name="relativeCost">c(k): cost of a batch of k tokens relative to one (c(1) = 1 alone; the marginal cost in a shared batch).</param>
    /// <param name="rate">λ, tokens per unit of single-token cost being earned (≥ 1).</param>
    /// <param name="expectedTokens">E[n] of the chosen length.</param>
    public static int Choose(ReadOnlySpan<double> acceptance, Func<int, double> relativeCost, double rate, out double expectedTokens)
    {
        ArgumentNullException.ThrowIfNull(relativeCost);
        var best = 0;
        expectedTokens = 1;
        var bestValue = 1 - (rate * relativeCost(1));
        var expected = 1.0;
        var survive = 1.0;
        for (var n = 1; n <= acceptance.Length; n++)
        {
            survive *= Math.Clamp(acceptance[n - 1], 0, 1);
            expected += survive;
            var value = expected - (rate * relativeCost(n + 1));
            if (value > bestValue)
            {
                bestValue = value;
                best = n;
                expectedTokens = expected;
            }
        }

        return best;
    }
}
