using LookupDecode.Drafting.DraftModel;

namespace LookupDecode.Tests.Drafting;

/// <summary>The draft model's logit scans agree with the plain definitions at every length and position, NaN included.</summary>
public sealed class LogitScanTests
{
    public static TheoryData<int, int> Cases()
    {
        var data = new TheoryData<int, int>();
        foreach (var length in new[] { 1, 2, 7, 8, 9, 31, 32, 33, 100, 32000 })
        {
            foreach (var seed in new[] { 1, 2, 3 })
            {
                data.Add(length, seed);
            }
        }

        return data;
    }

    [Theory, MemberData(nameof(Cases))]
    public void Top_and_max_match_a_scalar_scan(int length, int seed)
    {
        var random = new Random(seed);
        var logits = Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 40) - 20)).ToArray();

        // Ties for the best: the first one wins and the margin is 0.
        if (seed == 3 && length > 2)
        {
            logits[length / 2] = logits[^1] = 50;
        }

        var (best, margin) = LogitScan.Top(logits);

        var expectedBest = Array.IndexOf(logits, logits.Max());
        Assert.Equal(expectedBest, best);
        Assert.Equal(logits.Max(), LogitScan.Max(logits));
        var runnerUp = logits.Where((_, i) => i != expectedBest).DefaultIfEmpty(float.NegativeInfinity).Max();
        Assert.Equal(logits[expectedBest] - runnerUp, margin);
        Assert.Equal(expectedBest, LogitScan.IndexOf(logits, logits[expectedBest]));
        Assert.Equal(-1, LogitScan.IndexOf(logits, 1000));
        var softmax = 1 / logits.Sum(logit => Math.Exp(logit - logits[expectedBest]));
        Assert.Equal(softmax, LogitScan.ShareOfMax(logits, logits[expectedBest]), 1e-5);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(40, 0)]
    [InlineData(40, 17)]
    [InlineData(40, 39)]
    [InlineData(41, 40)]
    [InlineData(45, 43)]
    public void A_nan_anywhere_means_nothing_to_draft(int length, int at)
    {
        var logits = Enumerable.Range(0, length).Select(i => (float)i).ToArray();
        logits[at] = float.NaN;

        Assert.True(float.IsNaN(LogitScan.Max(logits)));
        Assert.Equal(-1, LogitScan.Top(logits).Best);
        Assert.True(float.IsNaN(LogitScan.Max([])));
    }

    [Theory]
    [InlineData(float.PositiveInfinity, -1)]
    [InlineData(float.NegativeInfinity, 3)]
    public void An_infinite_best_logit_means_nothing_to_draft_and_an_infinitely_bad_one_is_just_last(float value, int best)
    {
        float[] logits = [.. Enumerable.Range(0, 41).Select(i => (float)(i % 7)).Select(logit => logit == 6 ? 5.5f : logit)];
        logits[3] = 6;
        logits[20] = value;
        float[] allMinusInfinity = [.. Enumerable.Repeat(float.NegativeInfinity, 20)];

        Assert.Equal(best, LogitScan.Top(logits).Best);
        Assert.Equal(-1, LogitScan.Top(allMinusInfinity).Best);
    }

    [Fact]
    public void Negative_and_positive_zero_tie_for_the_best_and_the_first_wins()
    {
        float[] logits = [.. Enumerable.Repeat(-1f, 20)];
        logits[5] = -0f;
        logits[9] = 0f;

        Assert.Equal((5, 0f), LogitScan.Top(logits));
    }
}
