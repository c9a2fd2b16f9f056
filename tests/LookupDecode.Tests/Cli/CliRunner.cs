using LookupDecode.Cli;

namespace LookupDecode.Tests.Cli;

/// <summary>Runs the <c>lookupdecode</c> command in-process and captures its output.</summary>
internal static class CliRunner
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await CliApplication.RunAsync(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }
}
