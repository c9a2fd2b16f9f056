using LookupDecode.Calibration;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Calibration;

/// <summary>
/// Calibration that must end in a stored curve. A curve measured while other work loads the machine is
/// (rightly) not stored, so these run in a collection of their own with nothing beside them.
/// </summary>
[Collection(MeasuredAloneCollection.Name)]
public sealed class StoredCostCurveTests(SharedModels models)
{
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
