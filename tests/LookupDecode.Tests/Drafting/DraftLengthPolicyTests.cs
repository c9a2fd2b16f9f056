using LookupDecode.Calibration;
using LookupDecode.Drafting;

namespace LookupDecode.Tests.Drafting;

public sealed class DraftLengthPolicyTests
{
    /// <summary>T(k)/T(1) measured with llama-bench on a 1B Q4_0 model on this 2-core machine (issue 7).</summary>
    private static readonly CostModel ThisMachine = CostModel.FromRelativeCosts(
        [1.0, 1.56, 2.38, 2.30, 2.90, 3.25, 3.60, 3.95, 4.72, 5.49, 6.26, 6.38, 6.50, 6.62, 6.74, 6.86]);

    private static readonly CostModel Flat = CostModel.Flat(17);

    [Fact]
    public void Flat_cost_and_high_acceptance_give_the_longest_draft()
    {
        var length = Choose(Flat, Repeat(0.9, 16));

        Assert.Equal(16, length);
    }

    [Fact]
    public void Flat_cost_drafts_even_unlikely_tokens_because_they_are_free()
    {
        Assert.True(Choose(Flat, Repeat(0.2, 8)) >= 1);
    }

    [Theory]
    [InlineData(0.3, 0)]
    [InlineData(0.5, 0)]
    public void This_machines_cost_and_low_acceptance_give_no_draft(double acceptance, int expected)
    {
        Assert.Equal(expected, Choose(ThisMachine, Repeat(acceptance, 10)));
    }

    [Fact]
    public void This_machines_cost_and_high_acceptance_give_a_short_draft()
    {
        var length = Choose(ThisMachine, Repeat(0.8, 16));

        Assert.InRange(length, 1, 4);
    }

    [Fact]
    public void A_confident_prefix_is_kept_and_the_doubtful_tail_dropped()
    {
        var length = Choose(ThisMachine, [0.99, 0.99, 0.99, 0.05, 0.05]);

        Assert.Equal(3, length);
    }

    [Fact]
    public void Expected_tokens_count_the_correction_and_every_surviving_draft()
    {
        DraftLengthPolicy.Choose([1.0, 1.0, 0.5], _ => 1, 1, out var expected);

        Assert.Equal(1 + 1 + 1 + 0.5, expected, 9);
    }

    [Fact]
    public void A_higher_rate_to_keep_up_with_asks_more_of_each_step()
    {
        var cost = ThisMachine;
        var atPlainRate = DraftLengthPolicy.Choose(Repeat(0.7, 8), k => cost.RelativeCost(k, 0), 1, out _);
        var atHigherRate = DraftLengthPolicy.Choose(Repeat(0.7, 8), k => cost.RelativeCost(k, 0), 1.6, out _);

        Assert.True(atHigherRate <= atPlainRate);
    }

    private static int Choose(CostModel cost, double[] acceptance)
        => DraftLengthPolicy.Choose(acceptance, k => cost.RelativeCost(k, 0), 1, out _);

    private static double[] Repeat(double value, int count) => Enumerable.Repeat(value, count).ToArray();
}
