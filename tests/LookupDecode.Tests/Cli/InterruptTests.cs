using System.Diagnostics;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Cli;

/// <summary>
/// Ctrl+C as a person sends it: SIGINT to the running command (a separate process). The command stops within a step,
/// prints what it measured, saves what it must and exits 130 instead of dying of the signal.
/// </summary>
public sealed class InterruptTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [ModelFact]
    public async Task Ctrl_c_during_generate_prints_partial_statistics_saves_the_dynamic_cache_and_exits_130()
    {
        var cache = _temp.File("dynamic.lcd");

        var (exitCode, _, error) = await RunAndInterruptAsync(
            "generate", "--model", TestPaths.Model("stories260K.gguf"), "--prompt", "Once upon a time", "--max-tokens", "500000",
            "--ctx", "200000", "--mode", "lookup", "--draft", "3", "--dynamic-cache", cache, "--threads", "2");

        Assert.Equal(130, exitCode);
        Assert.Contains("cancelled after", error, StringComparison.Ordinal);
        Assert.Contains("decode calls", error, StringComparison.Ordinal);
        Assert.True(LookupDecode.Ngrams.NgramCache.Load(cache).Count > 0);
    }

    [TraceFact]
    public async Task Ctrl_c_during_replay_reports_the_turns_completed_and_exits_130()
    {
        var (exitCode, output, error) = await RunAndInterruptAsync(
            "replay", "--model", TestPaths.Model("llama-2-tiny-random.gguf"), "--threads", "2",
            "--questions", TestPaths.Trace("spec-bench", "question.jsonl"), "--answers", TestPaths.Trace("spec-bench", "vicuna-7b-v1.3-greedy.jsonl"),
            "--max-tokens", "1024", "--variants", "greedy,pld,auto", "--json");

        Assert.Equal(130, exitCode);
        Assert.Contains("cancelled: the figures cover", error, StringComparison.Ordinal);
        using var document = System.Text.Json.JsonDocument.Parse(output);
        Assert.True(document.RootElement.GetProperty("cancelled").GetBoolean());
    }

    [ModelFact]
    public async Task Ctrl_c_during_compare_prints_the_table_of_the_repeats_completed_and_exits_130()
    {
        // 2 warm-ups + 2 × 200 repeats = 402 runs: progress at 10% means whole repeats were measured.
        var (exitCode, output, error) = await RunAndInterruptWhenAsync("comparing: 1",
            "compare", "--model", TestPaths.Model("stories260K.gguf"), "--prompt", "Once upon a time", "--modes", "greedy,llama-lookup",
            "--max-tokens", "64", "--repeat", "200", "--threads", "2", "--ctx", "512", "--json");

        Assert.Equal(130, exitCode);
        Assert.Contains("cancelled: the table covers the", error, StringComparison.Ordinal);
        using var document = System.Text.Json.JsonDocument.Parse(output);
        Assert.Equal(2, document.RootElement.GetProperty("runs").GetArrayLength());
    }

    [ModelFact]
    public async Task Ctrl_c_during_calibrate_stops_cleanly_stores_nothing_and_exits_130()
    {
        var store = Path.Combine(_temp.Path, "store");

        var (exitCode, _, error) = await RunAndInterruptAsync(
            "calibrate", "--model", TestPaths.Model("stories260K.gguf"), "--max-batch", "64", "--depths", "0,256,1024,1500",
            "--repeat", "200", "--ctx", "2048", "--threads", "2", "--store", store);

        Assert.Equal(130, exitCode);
        Assert.Contains("cancelled", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(store) && Directory.EnumerateFiles(store).Any(), "a cancelled calibration stored a curve");
    }

    /// <summary>Starts the CLI, waits until it has written something (it is under way), sends SIGINT and collects the outcome.</summary>
    private static Task<(int ExitCode, string Output, string Error)> RunAndInterruptAsync(params string[] args)
        => RunAndInterruptWhenAsync(null, args);

    /// <summary>As above, waiting until the output holds <paramref name="ready"/> (when given) before the signal.</summary>
    private static async Task<(int ExitCode, string Output, string Error)> RunAndInterruptWhenAsync(string? ready, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(ChildProcess.CliDll);
        foreach (var argument in args)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        var error = new System.Text.StringBuilder();
        var started = new TaskCompletionSource();
        process.OutputDataReceived += (_, line) => Collect(output, line.Data, started, ready);
        process.ErrorDataReceived += (_, line) => Collect(error, line.Data, started, ready);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await Task.WhenAny(started.Task, Task.Delay(TimeSpan.FromSeconds(60)));
        await Task.Delay(TimeSpan.FromMilliseconds(1500));
        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        process.WaitForExit(); // drains the redirected streams
        lock (output)
        {
            lock (error)
            {
                return (process.ExitCode, output.ToString(), error.ToString());
            }
        }
    }

    private static void Collect(System.Text.StringBuilder into, string? line, TaskCompletionSource started, string? ready)
    {
        if (line is null)
        {
            return;
        }

        lock (into)
        {
            into.AppendLine(line);
        }

        if (ready is null || line.Contains(ready, StringComparison.Ordinal))
        {
            started.TrySetResult();
        }
    }
}
