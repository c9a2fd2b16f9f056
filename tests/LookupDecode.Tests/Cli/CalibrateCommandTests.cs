using System.Text.Json;
using LookupDecode.Calibration;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Cli;

/// <summary><c>calibrate --json</c> prints snake_case like every other JSON of the tool, and replay reads it back as a curve.</summary>
public sealed class CalibrateCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [ModelFact]
    public async Task Json_is_snake_case_with_the_backend_as_text_and_reads_back_as_a_cost_curve()
    {
        var (exitCode, output, error) = await CliRunner.RunAsync(
            "calibrate", "--model", TestPaths.Model("stories260K.gguf"), "--max-batch", "4", "--depths", "0,32", "--repeat", "1",
            "--threads", "2", "--ctx", "256", "--store", _temp.Path, "--json");

        Assert.True(exitCode == 0, error);
        using var document = JsonDocument.Parse(output);
        var root = document.RootElement;
        Assert.Equal(["model", "backend", "threads", "kv_cache_type", "stored", "disturbance", "points"], root.EnumerateObject().Select(property => property.Name));
        Assert.Equal(JsonValueKind.Null, root.GetProperty("disturbance").ValueKind);
        Assert.Equal(JsonValueKind.String, root.GetProperty("backend").ValueKind);
        Assert.Equal(["batch_size", "depth", "milliseconds", "relative_cost"], root.GetProperty("points")[0].EnumerateObject().Select(property => property.Name));

        var file = _temp.File("curve.json");
        await File.WriteAllTextAsync(file, output);
        var model = CostCurveFile.Load(file);
        Assert.Equal(1.0, model.RelativeCost(1, 0));
        Assert.True(model.RelativeCost(4, 0) > 0);
        Assert.Equal(4, model.MaxBatchSize);
    }
}
