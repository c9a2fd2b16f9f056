using System.IO.Compression;
using System.Text.Json;
using System.Xml.Linq;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Cli;

/// <summary>
/// The packages as someone outside this solution meets them: packed into a folder feed, referenced by a fresh console
/// project (its own folder, no Directory.Build.props or central versions above it), and the CLI installed as a .NET tool
/// from the same feed. The version is unique to the run, so it can only come from that feed.
/// </summary>
// The installed tool drafts adaptively on a curve it measures itself: run alone, like the README's main job (see MeasuredAloneCollection).
[Collection(Support.MeasuredAloneCollection.Name)]
public sealed class PackageInstallTests(PackedFeed feed) : IClassFixture<PackedFeed>
{
    private const string Prompt = "Once upon a time";
    private const int Tokens = 32;

    [ModelFact]
    public async Task A_fresh_console_project_references_Hosting_from_the_feed_and_its_chat_reply_equals_the_CLIs_greedy_text()
    {
        using var temp = new TempDirectory();
        var project = Path.Combine(temp.Path, "Consumer");
        WriteConsumer(project);
        var output = Path.Combine(temp.Path, "out");
        var build = await ChildProcess.RunAsync("dotnet", ["build", project, "-c", "Release", "-o", output], workingDirectory: project);
        Assert.True(build.ExitCode == 0, build.Output + build.Error);

        // The package's own backend and probe, not a library this machine happens to name.
        var replyFile = temp.File("reply.txt");
        var run = await ChildProcess.RunAsync("dotnet", [Path.Combine(output, "Consumer.dll"), TestPaths.Model("stories260K.gguf"), replyFile],
            new Dictionary<string, string?> { ["LOOKUPDECODE_LLAMA_LIBRARY"] = null, ["LOOKUPDECODE_MODEL_PROBE"] = null }, project);
        Assert.True(run.ExitCode == 0, run.Output + run.Error);

        Assert.Equal(await CliGreedyTextAsync(), await File.ReadAllTextAsync(replyFile));
        Assert.True(File.Exists(Path.Combine(output, "LookupDecode.ModelProbe.dll")), "the model-check probe is not in the consumer's output");
        Assert.True(File.Exists(Path.Combine(output, "LookupDecode.ModelProbe.runtimeconfig.json")), "the probe's runtimeconfig is not in the consumer's output");
        Assert.Contains(Directory.EnumerateFiles(output, "*llama.*", SearchOption.AllDirectories),
            file => Path.GetFileNameWithoutExtension(file) is "libllama" or "llama");
    }

    [ModelFact]
    public async Task The_tool_installs_from_the_feed_and_runs_the_demo_model_with_drafting_when_no_model_is_given()
    {
        using var temp = new TempDirectory();
        var tools = Path.Combine(temp.Path, "tools");
        var install = await ChildProcess.RunAsync("dotnet",
            ["tool", "install", "LookupDecode.Cli", "--version", feed.Version, "--tool-path", tools, "--add-source", feed.Folder]);
        Assert.True(install.ExitCode == 0, install.Output + install.Error);
        var tool = Path.Combine(tools, OperatingSystem.IsWindows() ? "lookupdecode.exe" : "lookupdecode");

        var demo = await ChildProcess.RunAsync(tool, ["generate", "-p", Prompt, "-n", "256", "-t", "2", "--json"]);
        Assert.True(demo.ExitCode == 0, demo.Output + demo.Error);
        Assert.Contains("no --model given: running the demo model stories260K.gguf", demo.Error, StringComparison.Ordinal);
        using (var json = JsonDocument.Parse(demo.Output))
        {
            Assert.Equal("auto", json.RootElement.GetProperty("mode").GetString());
            Assert.True(json.RootElement.GetProperty("n_accept").GetInt32() > 0, demo.Output);
        }

        var own = await ChildProcess.RunAsync(tool, ["generate", "-m", TestPaths.Model("stories260K.gguf"), "-p", Prompt, "-n", "8", "-t", "2", "--json"]);
        Assert.True(own.ExitCode == 0, own.Output + own.Error);
        Assert.DoesNotContain("demo model", own.Error, StringComparison.Ordinal);
        Assert.Contains("\"n_predict\":8", own.Output, StringComparison.Ordinal);
    }

    [ModelFact]
    public void Each_package_carries_its_projects_readme()
    {
        foreach (var name in PackedFeed.Projects)
        {
            using var package = ZipFile.OpenRead(Path.Combine(feed.Folder, $"{name}.{feed.Version}.nupkg"));
            var entry = package.GetEntry("README.md");
            Assert.True(entry is not null, $"{name} has no README.md");
            using var reader = new StreamReader(entry.Open());
            Assert.Equal(File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "src", name, "README.md")), reader.ReadToEnd());
        }
    }

    private static async Task<string> CliGreedyTextAsync()
    {
        var cli = await ChildProcess.RunAsync("dotnet",
            [ChildProcess.CliDll, "generate", "-m", TestPaths.Model("stories260K.gguf"), "-p", Prompt, "-n", Tokens.ToString(), "--mode", "greedy", "-t", "2", "--json"]);
        Assert.True(cli.ExitCode == 0, cli.Output + cli.Error);
        using var json = JsonDocument.Parse(cli.Output);
        return json.RootElement.GetProperty("text").GetString()!;
    }

    private void WriteConsumer(string folder)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="lookupdecode-test-feed" value="{feed.Folder}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(folder, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="LookupDecode.Hosting" Version="{feed.Version}" />
                <PackageReference Include="Microsoft.Extensions.Hosting" Version="{MicrosoftExtensionsVersion()}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(folder, "Program.cs"), $$"""
            using LookupDecode.Hosting;
            using Microsoft.Extensions.AI;
            using Microsoft.Extensions.DependencyInjection;
            using Microsoft.Extensions.Hosting;
            using Microsoft.Extensions.Logging;

            var builder = Host.CreateApplicationBuilder();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Services.AddLookupDecoding(options =>
            {
                options.ModelPath = args[0];
                options.ChatTemplate = "raw";
                options.Model = new LookupDecode.Models.ModelOptions { Threads = 2 };
            });
            using var host = builder.Build();
            await host.StartAsync();
            var chat = host.Services.GetRequiredService<IChatClient>();
            var reply = await chat.GetResponseAsync("{{Prompt}}", new ChatOptions { MaxOutputTokens = {{Tokens}} });
            await File.WriteAllTextAsync(args[1], reply.Text);
            await host.StopAsync();
            """);
    }

    /// <summary>The Microsoft.Extensions version the solution itself builds against (Directory.Packages.props).</summary>
    private static string MicrosoftExtensionsVersion() =>
        XDocument.Load(Path.Combine(TestPaths.RepositoryRoot, "Directory.Packages.props"))
            .Descendants("MicrosoftExtensionsVersion").Single().Value;
}

/// <summary>
/// LookupDecode, LookupDecode.Hosting and the CLI tool packed once (from the Release build, under a version unique to this
/// run) into a temporary folder feed; on dispose the feed and that version's copies in the NuGet global packages folder
/// are deleted.
/// </summary>
public sealed class PackedFeed : IAsyncLifetime
{
    /// <summary>The packed projects (each under src/ with a folder and project of the same name).</summary>
    public static readonly string[] Projects = ["LookupDecode", "LookupDecode.Hosting", "LookupDecode.Cli"];
    private readonly TempDirectory _temp = new();

    /// <summary>The folder feed holding the three packages.</summary>
    public string Folder => _temp.Path;

    /// <summary>The packages' version: a prerelease no other feed has.</summary>
    public string Version { get; } = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Guid.NewGuid().ToString("N")[..8]}";

    public async Task InitializeAsync()
    {
        foreach (var name in Projects)
        {
            var project = Path.Combine(TestPaths.RepositoryRoot, "src", name, name + ".csproj");
            var pack = await ChildProcess.RunAsync("dotnet", ["pack", project, "-c", "Release", "--no-build", "-o", Folder, $"-p:Version={Version}"]);
            Assert.True(pack.ExitCode == 0, pack.Output + pack.Error);
        }
    }

    public Task DisposeAsync()
    {
        var global = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var name in Projects)
        {
            var copy = Path.Combine(global, name.ToLowerInvariant(), Version);
            if (Directory.Exists(copy))
            {
                Directory.Delete(copy, recursive: true);
            }
        }

        _temp.Dispose();
        return Task.CompletedTask;
    }
}
