using CsCheck;
using LookupDecode.Drafting;

namespace LookupDecode.Tests.Drafting;

public sealed class PromptLookupDrafterTests
{
    private static readonly Func<int, bool> NoEndOfGeneration = _ => false;

    [Fact]
    public void Longest_matching_suffix_is_continued()
    {
        // Suffix "3 4" occurs earlier followed by 9, while "4" alone first occurs followed by 5.
        int[] history = [4, 5, 6, 3, 4, 9, 8, 7, 3, 4];

        var draft = Propose(history, new PromptLookupOptions { MaxNgramSize = 2 }, 3);

        Assert.Equal([9, 8, 7], draft);
    }

    [Fact]
    public void A_continuation_of_a_long_copied_passage_carries_stronger_evidence_than_a_short_coincidence()
    {
        // The last 3 tokens match in both histories; in the second the 9 tokens before them match too (a copied passage).
        int[] coincidence = [50, 51, 52, 1, 2, 3, 60, 61, 70, 71, 72, 73, 74, 75, 76, 77, 78, 1, 2, 3];
        int[] copied = [70, 71, 72, 73, 74, 75, 76, 77, 78, 1, 2, 3, 60, 61, 99, 70, 71, 72, 73, 74, 75, 76, 77, 78, 1, 2, 3];

        var (shortDraft, shortEvidence) = ProposeWithEvidence(coincidence);
        var (longDraft, longEvidence) = ProposeWithEvidence(copied);

        Assert.Equal([60, 61], shortDraft);
        Assert.Equal([60, 61], longDraft);
        Assert.True(longEvidence[0] > shortEvidence[0], $"evidence {longEvidence[0]} vs {shortEvidence[0]}");
        var drafter = new PromptLookupDrafter(new PromptLookupOptions(), NoEndOfGeneration);
        Assert.True(drafter.PriorAcceptance(longEvidence[0]) > drafter.PriorAcceptance(shortEvidence[0]));
    }

    private static (int[] Draft, int[] Evidence) ProposeWithEvidence(int[] history)
    {
        var drafter = new PromptLookupDrafter(new PromptLookupOptions(), NoEndOfGeneration);
        drafter.Begin(history);
        var draft = new int[2];
        var evidence = new int[2];
        var count = drafter.Propose(history, draft, evidence);
        return (draft[..count], evidence[..count]);
    }

    [Fact]
    public void Earliest_and_most_recent_occurrences_are_both_available()
    {
        int[] history = [1, 2, 10, 11, 1, 2, 20, 21, 1, 2];

        Assert.Equal([10, 11], Propose(history, new PromptLookupOptions { Match = PromptLookupMatch.Earliest }, 2));
        Assert.Equal([20, 21], Propose(history, new PromptLookupOptions { Match = PromptLookupMatch.MostRecent }, 2));
    }

    [Fact]
    public void Draft_stops_at_end_of_generation_token()
    {
        int[] history = [7, 8, 9, 2, 5, 6, 7, 8];

        var draft = Propose(history, new PromptLookupOptions(), 10, token => token == 2);

        Assert.Equal([9], draft);
    }

    [Fact]
    public void Suffix_without_an_earlier_occurrence_drafts_nothing()
    {
        Assert.Empty(Propose([1, 2, 3, 4, 5], new PromptLookupOptions(), 5));
    }

    [Fact]
    public void Continuation_may_run_into_the_suffix_itself_but_not_past_the_history()
    {
        int[] history = [5, 5, 5];

        Assert.Equal([5, 5], Propose(history, new PromptLookupOptions { MaxNgramSize = 1 }, 10));
    }

    [Fact]
    public void Indexed_search_agrees_with_rescanning_the_history_at_every_step()
    {
        var streams = Gen.Int[0, 6].Array[2, 120];
        var settings = Gen.Select(Gen.Int[1, 4], Gen.Int[1, 12], Gen.Bool, Gen.Int[0, 60]);
        Gen.Select(streams, settings).Sample((tokens, setting) =>
        {
            var (maxNgram, draftLength, earliest, promptLength) = setting;
            var options = new PromptLookupOptions
            {
                MaxNgramSize = maxNgram,
                Match = earliest ? PromptLookupMatch.Earliest : PromptLookupMatch.MostRecent,
            };
            Func<int, bool> isEndOfGeneration = token => token == 6;
            var drafter = new PromptLookupDrafter(options, isEndOfGeneration);
            var prompt = Math.Clamp(promptLength, 1, tokens.Length);
            drafter.Begin(tokens.AsSpan(0, prompt));
            var draft = new int[draftLength];
            for (var length = prompt; length <= tokens.Length; length++)
            {
                if (length > prompt)
                {
                    drafter.Observe(tokens.AsSpan(0, length));
                }

                var count = drafter.Propose(tokens.AsSpan(0, length), draft);
                var expected = PromptLookupReference.Draft(tokens[..length], maxNgram, 1, draftLength, earliest, isEndOfGeneration);
                Assert.Equal(expected, draft[..count]);
            }
        }, iter: 300);
    }

    [Fact]
    public void Options_out_of_range_are_refused()
    {
        Assert.Throws<LookupDecode.Models.InvalidOptionException>(() => new PromptLookupDrafter(new PromptLookupOptions { MaxNgramSize = 9 }, NoEndOfGeneration));
        Assert.Throws<LookupDecode.Models.InvalidOptionException>(() => new PromptLookupDrafter(new PromptLookupOptions { MinNgramSize = 4, MaxNgramSize = 3 }, NoEndOfGeneration));
    }

    private static int[] Propose(int[] history, PromptLookupOptions options, int draftLength, Func<int, bool>? isEndOfGeneration = null)
    {
        var drafter = new PromptLookupDrafter(options, isEndOfGeneration ?? NoEndOfGeneration);
        drafter.Begin(history);
        var draft = new int[draftLength];
        return draft[..drafter.Propose(history, draft)];
    }
}
