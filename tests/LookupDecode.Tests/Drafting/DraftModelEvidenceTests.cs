using LookupDecode.Drafting;
using LookupDecode.Drafting.DraftModel;
using LookupDecode.Models;

namespace LookupDecode.Tests.Drafting;

/// <summary>
/// How the draft model's drafts are stopped and scored: llama.cpp's floor for fixed drafts, none under adaptive planning
/// unless set; evidence classes by logit margin, with priors rising with it; the draft model's KV type follows the target's.
/// </summary>
public sealed class DraftModelEvidenceTests
{
    [Fact]
    public void The_floor_is_llama_cpps_for_fixed_drafts_none_for_adaptive_ones_and_a_set_floor_holds_for_both()
    {
        var unset = new DraftModelOptions();
        var set = new DraftModelOptions { MinProbability = 0.4 };

        Assert.Equal(0.75, unset.FloorFor(adaptive: false));
        Assert.Equal(0, unset.FloorFor(adaptive: true));
        Assert.Equal(0.4, set.FloorFor(adaptive: false));
        Assert.Equal(0.4, set.FloorFor(adaptive: true));
        Assert.Throws<InvalidOptionException>(() => new DraftModelOptions { MinProbability = 1.5 }.Validate());
        Assert.Throws<InvalidOptionException>(() => new DraftModelOptions { MinProbability = double.NaN }.Validate());
    }

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(0.1, 0)]
    [InlineData(0.25, 1)]
    [InlineData(0.9, 3)]
    [InlineData(1.2, 4)]
    [InlineData(2.5, 6)]
    [InlineData(4.0, 7)]
    [InlineData(7.0, 8)]
    [InlineData(double.PositiveInfinity, 8)]
    public void A_drafted_tokens_class_is_its_margin_bin_and_its_position(double margin, int bin)
    {
        Assert.Equal(bin * EvidenceBins.PositionBins, DraftModelDrafter.EvidenceClass(margin, 0));
        Assert.Equal((bin * EvidenceBins.PositionBins) + EvidenceBins.PositionBin(5), DraftModelDrafter.EvidenceClass(margin, 5));
    }

    [Fact]
    public void Priors_rise_with_the_margin_from_a_coin_flip_to_near_certainty()
    {
        var priors = Enumerable.Range(0, 9).Select(bin => DraftModelDrafter.MarginPrior(bin * EvidenceBins.PositionBins)).ToArray();

        Assert.Equal(priors.Order(), priors);
        Assert.Equal(priors.Length, priors.Distinct().Count());
        Assert.InRange(priors[0], 0.5, 0.56);
        Assert.InRange(priors[^1], 0.99, 1);
    }

    [Fact]
    public void A_draft_model_keeps_the_targets_kv_type_except_a_q8_0_its_heads_may_not_allow()
    {
        var target = new ModelOptions { Threads = 3, ContextSize = 1024 };

        Assert.Equal(target, DraftModelOptions.LoadOptionsFor(target));
        Assert.Equal(KvCacheType.F16, DraftModelOptions.LoadOptionsFor(target with { KvCacheType = KvCacheType.F16 }).KvCacheType);
        Assert.Equal(target with { KvCacheType = KvCacheType.Auto }, DraftModelOptions.LoadOptionsFor(target with { KvCacheType = KvCacheType.Q8_0 }));
    }
}
