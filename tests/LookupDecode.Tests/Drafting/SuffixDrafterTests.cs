using LookupDecode.Drafting;
using LookupDecode.Drafting.Suffix;

namespace LookupDecode.Tests.Drafting;

/// <summary>The suffix drafter on token streams: longest match, majority continuation, memory, and its limits.</summary>
public sealed class SuffixDrafterTests
{
    private static readonly Func<int, bool> NeverEnds = _ => false;

    private static int[] Propose(SuffixDrafter drafter, int[] history, int length = 16)
    {
        var draft = new int[length];
        var count = drafter.Propose(history, draft);
        return draft[..count];
    }

    private static SuffixDrafter Started(int[] prompt, SuffixMemory? memory = null, SuffixDrafterOptions? options = null)
    {
        var drafter = new SuffixDrafter(options ?? new SuffixDrafterOptions(), NeverEnds, memory);
        drafter.Begin(prompt);
        return drafter;
    }

    [Fact]
    public void The_continuation_of_the_longest_earlier_match_is_proposed()
    {
        // "1 2 3 4 5" then "9 2 3 7": the ending "2 3" matched twice; "1 2 3" only once, followed by 4 5.
        int[] history = [1, 2, 3, 4, 5, 9, 2, 3, 7, 8, 1, 2, 3];
        var drafter = Started(history);

        Assert.Equal([4, 5, 9, 2, 3, 7, 8, 1, 2, 3], Propose(drafter, history));
    }

    [Fact]
    public void The_majority_continuation_wins_and_ties_go_to_the_most_recent()
    {
        int[] history = [5, 6, 1, 5, 6, 2, 5, 6, 1, 0, 5, 6];
        var drafter = Started(history, options: new SuffixDrafterOptions { MinShare = 0.9 });

        // "5 6" is followed by 1, 2, 1: the majority, 1. Then the followers of "5 6 1" disagree (5 vs 0): a share of 1/2 stops.
        Assert.Equal([1], Propose(drafter, history));
        int[] tie = [7, 3, 9, 7, 4, 9, 7];
        Assert.Equal([4, 9, 7], Propose(Started(tie), tie));
    }

    [Fact]
    public void Nothing_is_proposed_without_an_earlier_occurrence()
    {
        int[] history = [1, 2, 3, 4];
        Assert.Empty(Propose(Started(history), history));
    }

    [Fact]
    public void Observed_tokens_extend_the_index()
    {
        int[] prompt = [1, 2, 3];
        var drafter = Started(prompt);
        int[] history = [1, 2, 3, 1, 2];
        drafter.Observe(history[..4]);
        drafter.Observe(history);

        Assert.Equal([3, 1, 2], Propose(drafter, history));
    }

    [Fact]
    public void Drafts_stop_before_the_end_of_generation()
    {
        int[] history = [1, 2, 3, 99, 4, 1, 2];
        var drafter = new SuffixDrafter(new SuffixDrafterOptions(), token => token == 99);
        drafter.Begin(history);

        Assert.Equal([3], Propose(drafter, history));
    }

    [Fact]
    public void Earlier_outputs_in_memory_are_drafted_from_and_the_request_s_own_text_outranks_them()
    {
        var memory = new SuffixMemory(capacity: 1000);
        var first = Started([100, 101]);
        first.End([100, 101, 1, 2, 3, 4, 5, 6]);
        Assert.Equal(0, memory.OutputCount);
        var withMemory = Started([100, 101], memory);
        withMemory.End([100, 101, 1, 2, 3, 4, 5, 6]);
        Assert.Equal(1, memory.OutputCount);

        int[] history = [50, 1, 2, 3];
        Assert.Equal([4, 5, 6], Propose(Started(history, memory), history));

        // The request's own "2 3 8" beats the remembered "2 3 4" of the same match length.
        int[] own = [2, 3, 8, 0, 2, 3];
        Assert.Equal([8, 0, 2, 3], Propose(Started(own, memory), own));
    }

    [Fact]
    public void Memory_stays_within_its_capacity_and_keeps_the_newest_outputs()
    {
        var memory = new SuffixMemory(capacity: 100);
        for (var output = 0; output < 50; output++)
        {
            memory.Add([.. Enumerable.Range(1000 * output, 10)]);
        }

        Assert.True(memory.Count <= 100);
        var outputs = memory.Outputs();
        Assert.Equal(Enumerable.Range(49000, 10), outputs[^1]);
        Assert.All(outputs, output => Assert.Equal(10, output.Length));
    }

    [Fact]
    public void Proposing_allocates_nothing()
    {
        var history = Enumerable.Range(0, 4000).Select(i => (i * 7919) % 97).ToArray();
        var drafter = Started(history[..100]);
        for (var i = 100; i < history.Length; i++)
        {
            drafter.Observe(history.AsSpan(0, i + 1));
        }

        var draft = new int[16];
        drafter.Propose(history, draft);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            drafter.Propose(history, draft);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Options_out_of_range_are_refused()
    {
        Assert.Throws<LookupDecode.Models.InvalidOptionException>(() => new SuffixDrafterOptions { MinShare = 2 }.Validate());
        Assert.Throws<LookupDecode.Models.InvalidOptionException>(() => new SuffixDrafterOptions { MatchSlack = -1 }.Validate());
        Assert.Throws<LookupDecode.Models.InvalidOptionException>(() => new SuffixDrafterOptions { LengthPerMatchToken = double.NaN }.Validate());
    }

    [Fact]
    public void The_suffix_preset_is_one_fixed_chain_and_auto_includes_the_suffix_drafter()
    {
        var suffix = DraftingPresets.Get("suffix");
        Assert.False(suffix.Adaptive);
        Assert.Contains(DraftingPlan.Suffix, suffix.Drafters);
        Assert.Contains(DraftingPlan.Suffix, DraftingPresets.Get("auto").Drafters);
    }

    [Fact]
    public void A_drafted_token_that_continues_a_word_has_evidence_of_its_own_and_a_higher_prior()
    {
        // Token 4's text goes on with the word before it; every other token starts a word.
        var kinds = LookupDecode.Text.TokenKinds.FromPieces(16, (token, destination) =>
        {
            var text = System.Text.Encoding.UTF8.GetBytes(token == 4 ? "ing" : " word");
            text.CopyTo(destination);
            return text.Length;
        });
        int[] history = [1, 2, 3, 4, 5, 1, 2, 3];
        IScoredDraftSource withKinds = new SuffixDrafter(new SuffixDrafterOptions(), NeverEnds, null, kinds);
        IScoredDraftSource without = new SuffixDrafter(new SuffixDrafterOptions(), NeverEnds);
        var evidence = new int[2];
        var plain = new int[2];
        withKinds.Begin(history);
        without.Begin(history);

        Assert.Equal(2, withKinds.Propose(history, new int[2], evidence));
        Assert.Equal(2, without.Propose(history, new int[2], plain));

        // Draft "4 5": a continuation, then a word start; the same match, agreement and streak behind both.
        Assert.All(evidence, e => Assert.InRange(e, 0, withKinds.EvidenceClassCount - 1));
        var continuation = evidence[0];
        var wordStartAtSamePosition = continuation + EvidenceBins.PositionBins * ((int)LookupDecode.Text.TokenKind.WordStart - (int)LookupDecode.Text.TokenKind.Continuation);
        Assert.True(withKinds.PriorAcceptance(continuation) > withKinds.PriorAcceptance(wordStartAtSamePosition));
        Assert.Equal(evidence[0] - EvidenceBins.PositionBins + 1, evidence[1]);
        Assert.True(without.PriorAcceptance(plain[0]) < withKinds.PriorAcceptance(continuation));
        Assert.True(without.PriorAcceptance(plain[0]) > withKinds.PriorAcceptance(wordStartAtSamePosition));
    }
}
