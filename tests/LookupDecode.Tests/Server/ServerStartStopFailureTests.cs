using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Server;

/// <summary>
/// The server program as an operator starts and stops it: whatever keeps it from starting is one line on stderr and exit
/// code 1, never a stack trace; a memory it cannot save at stop is a logged warning and a clean exit.
/// </summary>
public sealed class ServerStartStopFailureTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string Model => TestPaths.Model(TestModelNames.FileOf(TestModelNames.Stories260K));

    public static TheoryData<string, string> Failures => new()
    {
        { "missing-model", "does not exist" },
        { "model-is-directory", "ModelPath" },
        { "damaged-suffix-memory", "suffix memory" },
        { "malformed-redis", "SharedMemoryRedis" },
        { "invalid-number", "Threads" },
        { "check-timeout", "within" },
    };

    [ModelTheory]
    [MemberData(nameof(Failures))]
    public async Task A_server_that_cannot_start_says_why_in_one_line_and_exits_1(string failure, string expected)
    {
        var damaged = Path.Combine(_temp.Path, "memory.ldsm");
        await File.WriteAllBytesAsync(damaged, [0x4C, 0x44, 0x53, 0x4D, 9, 9, 9, 9, 1, 2, 3]);
        string[] arguments = failure switch
        {
            "missing-model" => ["--model", Path.Combine(_temp.Path, "absent.gguf")],
            "model-is-directory" => ["--model", _temp.Path],
            "damaged-suffix-memory" => ["--model", Model, "--LookupDecode:SuffixMemoryFile", damaged],
            "malformed-redis" => ["--model", Model, "--LookupDecode:SharedMemoryRedis", "127.0.0.1:6379,connectTimeout=soon"],
            "invalid-number" => ["--model", Model, "--threads", "many"],
            _ => ["--model", Model, "--LookupDecode:Model:CheckTimeout", "00:00:00.001"],
        };
        var environment = new Dictionary<string, string?> { ["LOOKUPDECODE_CACHE_DIR"] = Path.Combine(_temp.Path, "cache"), ["ASPNETCORE_ENVIRONMENT"] = "Production" };

        var (exitCode, output, error) = await ChildProcess.RunAsync("dotnet", [ServerProcess.ServerDll, .. arguments, "--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default", "None"], environment);

        Assert.Equal(1, exitCode);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1, $"one line expected on stderr, got: {error}{output}");
        Assert.StartsWith("lookupdecode-server: error: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error + output, StringComparison.Ordinal);
    }

    [ModelFact]
    public async Task A_suffix_memory_that_cannot_be_saved_at_stop_is_a_warning_and_a_clean_exit()
    {
        var folder = Path.Combine(_temp.Path, "memories");
        Directory.CreateDirectory(folder);
        var server = await ServerProcess.StartAsync(Model, ["--LookupDecode:SuffixMemoryFile", Path.Combine(folder, "memory.ldsm"), "--Logging:LogLevel:LookupDecode", "Warning"]);
        await using (server)
        {
            Directory.Delete(folder);

            var exitCode = await server.TerminateAsync();

            Assert.Equal(0, exitCode);
            Assert.Contains("Suffix memory could not be saved", server.Log, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", server.Log, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", server.Log, StringComparison.Ordinal);
        }
    }
}
