using LookupDecode.Calibration;
using LookupDecode.Drafting;

namespace LookupDecode.Tests.Drafting;

/// <summary>
/// Adaptive drafting weighs a drafted token by a cautious acceptance estimate when a wasted draft costs time, and by the
/// plain estimate when it does not (a flat, GPU-like curve).
/// </summary>
public sealed class AdaptiveCautionTests
{
    private const int MaxLength = 8;

    [Fact]
    public void A_barely_paying_draft_of_an_unproven_class_is_skipped_on_a_steep_curve()
    {
        // Mean estimate 0.72 on a curve where one more token costs 0.7 of a step: E = 1.72 > 1.7 pays on the mean, but the
        // prior is worth only three observations, so the cautious estimate does not.
        var steep = new CostModel(DecodeCostCurve.FromRelativeCosts([1, 1.7, 2.4, 3.1, 3.8, 4.5, 5.2, 5.9, 6.6]));

        Assert.Equal(0, PlanOnce(steep, prior: 0.72));
        Assert.Equal(1, DraftLengthPolicy.Choose([0.72], batch => steep.RelativeCost(batch, 0), 1, out _));
    }

    [Fact]
    public void A_draft_that_clearly_pays_is_still_verified_on_a_steep_curve()
    {
        var steep = new CostModel(DecodeCostCurve.FromRelativeCosts([1, 1.7, 2.4, 3.1, 3.8, 4.5, 5.2, 5.9, 6.6]));

        Assert.True(PlanOnce(steep, prior: 0.97) >= 1);
    }

    [Fact]
    public void On_a_flat_curve_every_proposed_token_is_verified_whatever_the_doubt()
    {
        // Any caution at all would take a prior of 0.1, worth three observations, to 0: nothing would be drafted.
        Assert.Equal(MaxLength, PlanOnce(CostModel.Flat(MaxLength + 1), prior: 0.1));
    }

    private static int PlanOnce(CostModel cost, double prior)
    {
        var drafter = new OneClassDrafter(prior);
        var planner = new AdaptiveDraftPlanner([drafter], [new AcceptanceModel(drafter)], cost, MaxLength);
        int[] history = [1, 2, 3];
        planner.Begin(history);
        return planner.Plan(history, new int[MaxLength], history.Length);
    }

    /// <summary>Proposes as many tokens as asked for, all of one evidence class with the given prior.</summary>
    private sealed class OneClassDrafter(double prior) : IScoredDraftSource
    {
        public string Name => "one-class";

        public int EvidenceClassCount => 1;

        public double PriorAcceptance(int evidenceClass) => prior;

        public void Begin(ReadOnlySpan<int> prompt)
        {
        }

        public void Observe(ReadOnlySpan<int> history)
        {
        }

        public int Propose(ReadOnlySpan<int> history, Span<int> draft) => Propose(history, draft, Span<int>.Empty);

        public int Propose(ReadOnlySpan<int> history, Span<int> draft, Span<int> evidence)
        {
            draft.Fill(7);
            evidence.Clear();
            return draft.Length;
        }

        public void End(ReadOnlySpan<int> history)
        {
        }
    }
}
