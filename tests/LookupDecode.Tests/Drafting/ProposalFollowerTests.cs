using LookupDecode.Drafting;

namespace LookupDecode.Tests.Drafting;

/// <summary>Unverified proposals are scored against the history as it grows: up to and including their first wrong token, once each.</summary>
public sealed class ProposalFollowerTests
{
    [Fact]
    public void A_proposal_is_scored_token_by_token_up_to_its_first_miss_as_the_history_reveals_it()
    {
        var model = new AcceptanceModel(classCount: 4, _ => 0.5);
        var follower = new ProposalFollower(slots: 4, maxLength: 8);
        int[] history = [1, 2, 3, 10, 11, 12, 99, 14];

        // Proposed at position 3: 10, 11, 12, 13, 14 (classes 0, 1, 2, 3, 3); the step emitted only position 3.
        follower.Add(3, [10, 11, 12, 13, 14], [0, 1, 2, 3, 3], history.AsSpan(3, 1), model);
        Assert.Equal(1, model.Observations(0));
        Assert.Equal(0, model.Observations(1));

        follower.Follow(history.AsSpan(0, 5), model);
        follower.Follow(history.AsSpan(0, 5), model);
        Assert.Equal(1, model.Observations(1), precision: 6);
        Assert.Equal(0, model.Observations(2));

        follower.Follow(history, model);

        // 12 was right, 13 wrong (99 came): scored as a miss, and nothing after it.
        Assert.Equal(1, model.Observations(2), precision: 6);
        Assert.True(model.Probability(2) > 0.5);
        Assert.Equal(1, model.Observations(3), precision: 6);
        Assert.True(model.Probability(3) < 0.5);
    }

    [Fact]
    public void Clearing_forgets_pending_proposals_and_a_full_follower_drops_the_oldest()
    {
        var model = new AcceptanceModel(classCount: 1, _ => 0.5);
        var follower = new ProposalFollower(slots: 2, maxLength: 4);
        follower.Add(0, [5, 6], [0, 0], [], model);
        follower.Clear();
        follower.Follow([5, 6], model);
        Assert.Equal(0, model.Observations(0));

        // Two slots. A is scored and frees its slot, C takes it; then D finds both full and drops the oldest, B, not C.
        var classes = new AcceptanceModel(classCount: 4, _ => 0.5);
        follower.Add(0, [5], [0], [], classes);      // A
        follower.Add(1, [6], [1], [], classes);      // B
        follower.Follow([5], classes);
        follower.Add(1, [6], [2], [], classes);      // C
        follower.Add(1, [6], [3], [], classes);      // D
        follower.Follow([5, 6], classes);

        Assert.Equal(1, classes.Observations(0), precision: 6);
        Assert.Equal(0, classes.Observations(1));
        Assert.Equal(1, classes.Observations(2), precision: 6);
        Assert.Equal(1, classes.Observations(3), precision: 6);
    }
}
