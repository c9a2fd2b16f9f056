using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Cli;

/// <summary>
/// The README's install path, as a person follows it: pack the CLI, install it as a .NET tool from the local folder, run
/// `lookupdecode`.
/// </summary>
public sealed class ToolInstallTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [ModelFact]
    public async Task The_packed_tool_installs_from_a_local_folder_and_generates()
    {
        var packages = Path.Combine(_temp.Path, "packages");
        var tools = Path.Combine(_temp.Path, "tools");
        var project = Path.Combine(TestPaths.RepositoryRoot, "src", "LookupDecode.Cli", "LookupDecode.Cli.csproj");

        var pack = await ChildProcess.RunAsync("dotnet", ["pack", project, "-c", "Release", "--no-build", "-o", packages]);
        Assert.True(pack.ExitCode == 0, pack.Output + pack.Error);
        var install = await ChildProcess.RunAsync("dotnet", ["tool", "install", "LookupDecode.Cli", "--tool-path", tools, "--add-source", packages]);
        Assert.True(install.ExitCode == 0, install.Output + install.Error);
        var run = await ChildProcess.RunAsync(Path.Combine(tools, "lookupdecode"),
            ["generate", "-m", TestPaths.Model("stories260K.gguf"), "-p", "Once upon a time", "-n", "8", "-t", "2", "--json"]);

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.Contains("\"n_predict\":8", run.Output, StringComparison.Ordinal);
    }
}
