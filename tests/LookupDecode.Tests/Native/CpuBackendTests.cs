using System.Text.Json;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Native;

/// <summary>
/// The CPU backend built for this machine (<c>native/build-cpu-backend.sh</c>, named by <c>LOOKUPDECODE_TEST_CPU_BACKEND</c>;
/// CI builds it) runs beside LLamaSharp's own llama.cpp. llama.cpp loads once per process, so each check runs the CLI in a
/// child process with <c>LOOKUPDECODE_LLAMA_LIBRARY</c> set: the library really loaded is the built one, and every drafting
/// mode, chains, trees and a draft model, stays token-identical to plain decoding on it.
/// </summary>
public sealed class CpuBackendTests
{
    public const string Variable = "LOOKUPDECODE_TEST_CPU_BACKEND";

    private static string Library => Environment.GetEnvironmentVariable(Variable)!;

    private static Dictionary<string, string?> WithBuiltBackend => new() { ["LOOKUPDECODE_LLAMA_LIBRARY"] = Library };

    [CpuBackendFact]
    public async Task The_built_backend_is_the_one_loaded()
    {
        var (exitCode, _, error) = await ChildProcess.RunAsync("dotnet",
            [ChildProcess.CliDll, "generate", "-m", TestPaths.Model("stories260K.gguf"), "-p", "Once upon a time", "-n", "8", "-t", "2", "--verbose"],
            WithBuiltBackend);

        Assert.True(exitCode == 0, error);
        Assert.Contains($"llama.cpp from {Library}", error, StringComparison.Ordinal);
        Assert.Contains("libggml-cpu.so:", error, StringComparison.Ordinal);

        // What the CPU backend in use was compiled with comes from the loaded libggml-cpu itself: LLamaSharp's AVX-512
        // build reports no AVX512_VNNI, a build for a CPU that has it does.
        var systemInfo = error.Split('\n').Single(line => line.Contains("system info:", StringComparison.Ordinal));
        if (File.ReadAllText("/proc/cpuinfo").Contains(" avx512_vnni", StringComparison.Ordinal))
        {
            Assert.Contains("AVX512_VNNI = 1", systemInfo, StringComparison.Ordinal);
        }
    }

    [ModelFact]
    public async Task A_library_variable_naming_no_file_is_a_clear_error()
    {
        var (exitCode, output, error) = await ChildProcess.RunAsync("dotnet",
            [ChildProcess.CliDll, "generate", "-m", TestPaths.Model("stories260K.gguf"), "-p", "Once", "-n", "2", "-t", "2"],
            new Dictionary<string, string?> { ["LOOKUPDECODE_LLAMA_LIBRARY"] = "/nonexistent/libllama.so" });

        Assert.NotEqual(0, exitCode);
        Assert.Contains("LOOKUPDECODE_LLAMA_LIBRARY names '/nonexistent/libllama.so'", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", error + output, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> Runs => new()
    {
        { "stories260K.gguf", "story" },
        { "llama-2-tiny-random.gguf", "code-edit" },
        { "TinyStories-656K-Q8_0.gguf", "tiny-ball" },
    };

    [CpuBackendTheory, MemberData(nameof(Runs))]
    public async Task Every_drafting_mode_is_identical_to_greedy_on_the_built_backend(string model, string prompt)
    {
        var (exitCode, output, error) = await ChildProcess.RunAsync("dotnet",
            [ChildProcess.CliDll, "compare", "-m", TestPaths.Model(model), "-f", TestPaths.Prompt(prompt), "-n", "96", "-t", "2",
             "--repeat", "1", "--json", "-md", TestPaths.Model(model), "--draft-p-min", "0",
             "--modes", "greedy,lookup-d4,prompt-lookup-d8,suffix,tree,auto,draft-model-d3"],
            WithBuiltBackend);

        Assert.True(exitCode == 0, error);
        using var document = JsonDocument.Parse(output);
        var runs = document.RootElement.GetProperty("runs").EnumerateArray().ToArray();
        Assert.Equal(7, runs.Length);
        Assert.All(runs, run => Assert.True(run.GetProperty("identical_to_greedy").GetBoolean(), run.GetProperty("mode").GetString()));

        // A model drafting for itself is always right: the draft-model run accepts what it drafts.
        var draftModel = runs.Single(run => run.GetProperty("mode").GetString() == "draft-model-d3");
        Assert.True(draftModel.GetProperty("n_accept").GetInt32() > 0);
    }
}

/// <summary>A fact that needs the models and a built CPU backend (<see cref="CpuBackendTests.Variable"/>).</summary>
public sealed class CpuBackendFactAttribute : FactAttribute
{
    public CpuBackendFactAttribute()
    {
        Skip = CpuBackendSkip.Reason;
    }
}

/// <summary>A theory that needs the models and a built CPU backend (<see cref="CpuBackendTests.Variable"/>).</summary>
public sealed class CpuBackendTheoryAttribute : TheoryAttribute
{
    public CpuBackendTheoryAttribute()
    {
        Skip = CpuBackendSkip.Reason;
    }
}

internal static class CpuBackendSkip
{
    public static string? Reason => TestPaths.MissingFixturesReason
        ?? (File.Exists(Environment.GetEnvironmentVariable(CpuBackendTests.Variable))
            ? null
            : $"{CpuBackendTests.Variable} names no built backend (run native/build-cpu-backend.sh; CI does)");
}
