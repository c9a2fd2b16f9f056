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

    [ModelFact]
    public void The_model_calibrates_in_a_context_of_its_own_once_and_then_knows_its_curve()
    {
        using var temp = new TempDirectory();
        var model = models.Get(TestModelNames.Stories260K);
        Assert.False(model.HasCostCurve(5, temp.Path));

        var progress = new List<double>();
        var curve = model.CostCurve(5, temp.Path, new SynchronousProgress(progress.Add));

        Assert.True(model.HasCostCurve(5, temp.Path));
        Assert.Same(curve, model.CostCurve(5, temp.Path));
        Assert.True(curve.Points.Max(point => point.BatchSize) >= 5);
        Assert.NotEmpty(progress);
        Assert.Single(Directory.GetFiles(temp.Path, "*.json"));
    }

    [ModelTheory]
    [InlineData("""{ "ModelName": "m", "Backend": "b", "Threads": 2, "Points": null }""")]
    [InlineData("""{ "ModelName": "m", "Backend": "b", "Threads": 2, "Points": [null] }""")]
    [InlineData("""{ "ModelName": "m", "Backend": "b", "Threads": 2, "Points": [ { "BatchSize": 1, "Depth": 0, "Milliseconds": 1, "RelativeCost": 1 }, { "BatchSize": 2147483647, "Depth": 0, "Milliseconds": 2, "RelativeCost": 2 } ] }""")]
    [InlineData("""{ "ModelName": "m", "Backend": "b", "Threads": 2, "Points": [ { "BatchSize": 8, "Depth": 0, "Milliseconds": 2, "RelativeCost": 2 } ] }""")]
    [InlineData("""{ "ModelName": "m", "Backend": "b", "Threads": 2, "Points": [ { "BatchSize": 1, "Depth": 0, "Milliseconds": -1, "RelativeCost": 1 } ] }""")]
    [InlineData("""not json at all""")]
    [InlineData("""{ "ModelName": "m", "Backend": "b", "Threads": 2, "Points": [ { "BatchSize": 1, "Depth": 0, "Milliseconds": 1, "RelativeCost": 1 }, { "BatchSize": 2, "Depth": 0, "Milliseconds": 1e308, "RelativeCost": 1e308 } ] }""")]
    [InlineData("""{ "ModelName": "m", "Backend": "b", "Threads": 2, "Points": [ { "BatchSize": 1, "Depth": 0, "Milliseconds": 1, "RelativeCost": 1 }, { "BatchSize": 8, "Depth": 0, "Milliseconds": 1e-300, "RelativeCost": 1e-300 } ] }""")]
    [InlineData("""{ "ModelName": "m", "Backend": "b", "Threads": 2, "Points": [ { "BatchSize": 1, "Depth": 0, "Milliseconds": 1, "RelativeCost": 1 }, { "BatchSize": 1, "Depth": 0, "Milliseconds": 3, "RelativeCost": 3 } ] }""")]
    [InlineData("""{ "ModelName": "m", "Backend": "b", "Threads": 2, "Points": [ { "BatchSize": 1, "Depth": -5, "Milliseconds": 1, "RelativeCost": 1 } ] }""")]
    public void A_damaged_stored_curve_is_ignored_and_measured_again(string damaged)
    {
        using var temp = new TempDirectory();
        var options = new LookupDecode.Models.ModelOptions { ContextSize = 512, Threads = 2 };
        using (var first = LookupDecode.Models.LlamaModel.Load(TestPaths.Model("stories260K.gguf"), options))
        {
            first.CostCurve(5, temp.Path);
        }

        var stored = Assert.Single(Directory.GetFiles(temp.Path, "*.json"));
        File.WriteAllText(stored, damaged);
        using var model = LookupDecode.Models.LlamaModel.Load(TestPaths.Model("stories260K.gguf"), options);

        Assert.False(model.HasCostCurve(5, temp.Path));
        var curve = model.CostCurve(5, temp.Path);

        Assert.Null(curve.Problem());
        Assert.Null(CostModelStore.TryLoad(stored)!.Problem());
        using var session = model.CreateSession();
        var result = session.Generate("Once upon a time", new LookupDecode.Decoding.GenerationOptions
        {
            MaxTokens = 8,
            Drafting = LookupDecode.Drafting.DraftingPresets.Get("auto").WithAdaptiveLength(4),
            Adaptive = new LookupDecode.Decoding.AdaptiveDraftingOptions { CostModelDirectory = temp.Path },
        });
        Assert.Equal(8, result.Tokens.Count);
    }

    private sealed class SynchronousProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
