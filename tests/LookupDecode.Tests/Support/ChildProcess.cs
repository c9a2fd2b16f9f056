using System.Diagnostics;

namespace LookupDecode.Tests.Support;

/// <summary>Runs a program to completion as a person would from a shell, capturing both streams.</summary>
internal static class ChildProcess
{
    /// <summary>The built CLI, run through <c>dotnet</c>.</summary>
    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "LookupDecode.Cli.dll");

    /// <summary>
    /// Runs <paramref name="file"/> in <paramref name="workingDirectory"/> (the test's own when null); a null value in
    /// <paramref name="environment"/> removes that variable from the child's environment.
    /// </summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(
        string file, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var argument in args)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
