using LookupDecode.Calibration;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Calibration;

[Collection(SharedModelsCollection.Name)]
public sealed class DecodeCostMeasurementTests(SharedModels models)
{
    [ModelFact]
    public void Curve_has_every_requested_point_relative_to_a_single_token_and_leaves_the_session_usable()
    {
        var model = models.Get(TestModelNames.Stories260K);
        using var session = model.CreateSession();

        var curve = DecodeCostMeasurement.Measure(session, [1, 2, 4, 8], [0, 64], repeats: 2);

        Assert.Equal(8, curve.Points.Count);
        Assert.Equal([0, 64], curve.Depths);
        Assert.All(curve.Points.Where(point => point.BatchSize == 1), point => Assert.Equal(1.0, point.RelativeCost));
        Assert.All(curve.Points, point => Assert.True(point.Milliseconds > 0));
        Assert.Equal(curve.Points.Single(p => p.BatchSize == 4 && p.Depth == 0).RelativeCost, new CostModel(curve).RelativeCost(4, depth: 0), 9);
        var after = session.Generate("Once upon a time", new LookupDecode.Decoding.GenerationOptions { MaxTokens = 4 });
        Assert.Equal(4, after.Tokens.Count);
    }

    [Theory]
    [InlineData(4096, 17, new[] { 0, 256, 1024, 2048 })]
    [InlineData(2048, 17, new[] { 0, 256, 1024, 2030 })]
    [InlineData(1100, 33, new[] { 0, 256, 1024 })]
    [InlineData(512, 17, new[] { 0, 256, 494 })]
    [InlineData(128, 17, new[] { 0 })]
    public void Default_depths_follow_the_context(int contextSize, int maxBatch, int[] expected)
        => Assert.Equal(expected, DecodeCostMeasurement.DefaultDepths(contextSize, maxBatch));

    [Fact]
    public void Repeats_that_disagree_mark_a_depth_as_disturbed_and_quick_or_steady_ones_do_not()
    {
        Dictionary<int, List<double>> steady = new() { [1] = [100, 104, 98], [2] = [170, 175, 168], [4] = [240, 250, 236] };
        Dictionary<int, List<double>> busy = new() { [1] = [100, 1700, 98], [2] = [170, 900, 168], [4] = [240, 250, 236] };
        Dictionary<int, List<double>> tiny = new() { [1] = [0.3, 0.9, 0.3], [2] = [0.5, 1.9, 0.4] };

        Assert.Equal(0, DecodeCostMeasurement.DisturbedShare(steady));
        Assert.Equal(2 / 3.0, DecodeCostMeasurement.DisturbedShare(busy), 9);
        Assert.True(DecodeCostMeasurement.DisturbedShare(busy) > DecodeCostMeasurement.DisturbedShareLimit);
        Assert.Equal(0, DecodeCostMeasurement.DisturbedShare(tiny));
    }

    [ModelFact]
    public void Batch_larger_than_the_context_allows_is_refused()
    {
        using var session = models.Get(TestModelNames.Stories260K).CreateSession();

        Assert.Throws<LookupDecode.Models.InvalidOptionException>(() => DecodeCostMeasurement.Measure(session, [4], [session.ContextSize], repeats: 1));
    }
}
