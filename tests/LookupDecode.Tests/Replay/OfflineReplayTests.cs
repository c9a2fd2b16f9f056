using LookupDecode.Calibration;
using LookupDecode.Replay;
using LookupDecode.Tests.Support;
using Xunit.Abstractions;

namespace LookupDecode.Tests.Replay;

/// <summary>Offline replay over the real Spec-Bench traces reproduces the published prompt-lookup acceptance.</summary>
public sealed class OfflineReplayTests(SpecBenchTraces traces, ITestOutputHelper output) : IClassFixture<SpecBenchTraces>
{
    private static readonly CostModel Flat = CostModel.Flat(64);

    [TraceFact]
    public void Pld_replays_all_480_questions_to_the_published_mean_acceptance()
    {
        var report = ReplayRunner.Simulate(traces.All, [ReplayVariant.Parse("pld")], Flat, maxTokens: 4096, traces.Model.IsEndOfGeneration);

        var pld = report.Variants[0];
        output.WriteLine($"pld overall {pld.Overall.Figures.MeanAcceptedTokens:F3}; "
                         + string.Join(", ", pld.Categories.Select(category => $"{category.Key} {category.Value.Figures.MeanAcceptedTokens:F2}")));
        Assert.Equal(480, report.Traces.Select(trace => trace.QuestionId).Distinct().Count());
        Assert.Equal(TraceCategories.SpecBench, report.Categories);
        Assert.InRange(pld.Overall.Figures.MeanAcceptedTokens, 1.72, 1.78);
        Assert.InRange(pld.Categories["summarization"].Figures.MeanAcceptedTokens, 2.6, 2.8);
    }

    [TraceFact]
    public void Greedy_is_one_token_per_step_and_costs_what_plain_decoding_costs()
    {
        var report = ReplayRunner.Simulate(traces.All.Take(20).ToArray(), [ReplayVariant.Parse("greedy")], Flat, 4096, traces.Model.IsEndOfGeneration);

        var figures = report.Variants[0].Overall.Figures;
        Assert.Equal(1.0, figures.MeanAcceptedTokens);
        Assert.Equal(0, figures.Drafted);
        Assert.Equal(1.0, report.Variants[0].Overall.Speedup, 9);
    }

    [TraceFact]
    public void The_oracle_bounds_every_fixed_drafter_on_the_same_curve()
    {
        var curve = CostModel.FromRelativeCosts([1, 1.89, 2.63, 2.48, 3.2, 3.9, 4.58, 5.5, 6.4, 7.28, 7.5, 7.6, 7.7, 7.75, 7.83, 8.5, 9.0]);
        var subset = traces.All.Where((_, index) => index % 7 == 0).ToArray();
        var report = ReplayRunner.Simulate(subset, [ReplayVariant.Parse("pld"), ReplayVariant.Parse("llama-lookup"), ReplayVariant.Parse("oracle")],
            curve, 256, traces.Model.IsEndOfGeneration);

        var oracle = report.Variants[2].Overall.Speedup;
        output.WriteLine(string.Join(", ", report.Variants.Select(variant => $"{variant.Name} {variant.Overall.Speedup:F3}")));
        Assert.True(oracle >= report.Variants[0].Overall.Speedup, "oracle slower than pld");
        Assert.True(oracle >= report.Variants[1].Overall.Speedup, "oracle slower than llama-lookup");
        Assert.True(oracle >= 1.0, "the oracle never verifies a draft that does not pay");
    }
}
