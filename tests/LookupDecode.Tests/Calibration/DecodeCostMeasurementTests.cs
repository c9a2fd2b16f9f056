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

    private sealed class SynchronousProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
