using System.Diagnostics;

namespace LookupDecode.Tests.Support;

/// <summary>
/// Upstream llama.cpp tools (native/fetch-upstream-tools.sh): from <c>LOOKUPDECODE_UPSTREAM_BIN</c>, else
/// native/upstream/bin in the repository. Tests that need one are skipped, with the reason, when it is absent.
/// </summary>
internal static class UpstreamTools
{
    public const string Variable = "LOOKUPDECODE_UPSTREAM_BIN";

    public static string? Directory
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable(Variable);
            var directory = !string.IsNullOrWhiteSpace(configured)
                ? configured
                : Path.Combine(TestPaths.RepositoryRoot, "native", "upstream", "bin");
            return System.IO.Directory.Exists(directory) ? directory : null;
        }
    }

    public static string? Find(string tool)
        => Directory is { } directory && File.Exists(Path.Combine(directory, tool)) ? Path.Combine(directory, tool) : null;

    public static (int ExitCode, string Output) Run(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(Find(tool) ?? throw new InvalidOperationException($"{tool} is not available"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }
}

/// <summary>A fact that runs an upstream llama.cpp tool; skipped with the reason when the tool is absent.</summary>
public sealed class UpstreamToolFactAttribute : FactAttribute
{
    public UpstreamToolFactAttribute(string tool)
    {
        Skip = UpstreamTools.Find(tool) is null
            ? $"upstream {tool} not found: run native/fetch-upstream-tools.sh or set {UpstreamTools.Variable}"
            : TestPaths.MissingFixturesReason;
    }
}
