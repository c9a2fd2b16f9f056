using LookupDecode.Drafting;

namespace LookupDecode.Tests.Drafting;

public sealed class AcceptanceModelTests
{
    [Fact]
    public void Estimates_start_at_the_prior_and_move_to_the_observed_rate()
    {
        var drafter = new NgramCacheDrafter();
        var model = new AcceptanceModel(drafter);
        const int evidence = 5;

        Assert.Equal(drafter.PriorAcceptance(evidence), model.Probability(evidence), 9);
        for (var i = 0; i < 400; i++)
        {
            model.Observe(evidence, accepted: i % 5 == 0);
        }

        Assert.Equal(0.2, model.Probability(evidence), 1);
    }

    [Fact]
    public void Every_evidence_class_has_a_prior_between_zero_and_one()
    {
        foreach (IScoredDraftSource source in new IScoredDraftSource[] { new NgramCacheDrafter(), new PromptLookupDrafter(new PromptLookupOptions(), _ => false) })
        {
            for (var evidence = 0; evidence < source.EvidenceClassCount; evidence++)
            {
                Assert.InRange(source.PriorAcceptance(evidence), 0.0, 1.0);
            }
        }
    }

    [Fact]
    public void Drafters_report_an_evidence_class_for_every_drafted_token()
    {
        int[] history = [1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2];
        foreach (IScoredDraftSource source in new IScoredDraftSource[] { new NgramCacheDrafter(), new PromptLookupDrafter(new PromptLookupOptions(), _ => false) })
        {
            source.Begin(history);
            var draft = new int[6];
            var evidence = Enumerable.Repeat(-1, 6).ToArray();

            var count = source.Propose(history, draft, evidence);

            Assert.True(count > 0);
            Assert.All(evidence[..count], e => Assert.InRange(e, 0, source.EvidenceClassCount - 1));
        }
    }

    [Fact]
    public void A_cautious_estimate_is_the_mean_without_caution_and_below_it_with_a_margin_that_narrows_with_evidence()
    {
        var model = new AcceptanceModel(new NgramCacheDrafter());
        const int evidence = 3;
        var mean = model.Probability(evidence);

        Assert.Equal(mean, model.Probability(evidence, caution: 0));
        var fewMargin = mean - model.Probability(evidence, caution: 1);
        Assert.True(fewMargin > 0.05, $"margin {fewMargin} with only the prior");
        Assert.True(model.Probability(evidence, caution: 2) < model.Probability(evidence, caution: 1));

        for (var i = 0; i < 300; i++)
        {
            model.Observe(evidence, accepted: i % 2 == 0);
        }

        var manyMargin = model.Probability(evidence) - model.Probability(evidence, caution: 1);
        Assert.InRange(manyMargin, 0.001, fewMargin / 2);
    }

    [Fact]
    public void A_cautious_estimate_never_goes_below_zero()
    {
        var model = new AcceptanceModel(new NgramCacheDrafter());
        for (var i = 0; i < 50; i++)
        {
            model.Observe(0, accepted: false);
        }

        Assert.Equal(0, model.Probability(0, caution: 100));
        Assert.InRange(model.Probability(0, caution: 1), 0, model.Probability(0));
    }
}
