using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Cli;

/// <summary>The first adaptive run on a model says it is measuring, where the result goes, and shows progress; the next is quiet.</summary>
public sealed class CalibrationNoticeTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [ModelFact]
    public async Task First_use_calibration_is_announced_with_progress_and_stored_once()
    {
        var first = await GenerateAsync();
        var second = await GenerateAsync();

        Assert.True(first.ExitCode == 0, first.Error);
        Assert.Contains("first adaptive run on stories260K.gguf", first.Error, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_temp.Path, "cost-models"), first.Error, StringComparison.Ordinal);
        Assert.Contains("calibrating: 100%", first.Error, StringComparison.Ordinal);
        Assert.True(second.ExitCode == 0, second.Error);
        Assert.DoesNotContain("calibrating", second.Error, StringComparison.Ordinal);
    }

    private async Task<(int ExitCode, string Error)> GenerateAsync()
    {
        // A cache directory of this test's own, so the first run really is the first.
        var (exitCode, _, error) = await ChildProcess.RunAsync("dotnet",
            [
                ChildProcess.CliDll, "generate", "--model", TestPaths.Model("stories260K.gguf"), "--prompt", "Once upon a time",
                "--max-tokens", "8", "--mode", "lookup", "--threads", "2", "--ctx", "512",
            ],
            new Dictionary<string, string?> { ["LOOKUPDECODE_CACHE_DIR"] = _temp.Path });
        return (exitCode, error);
    }
}
