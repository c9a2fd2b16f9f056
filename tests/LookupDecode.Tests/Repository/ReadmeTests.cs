using System.Text.Json;
using System.Text.RegularExpressions;
using LookupDecode.Tests.Cli;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Repository;

/// <summary>The README's commands, run as written; the main job drafts adaptively, so it runs alone (see <see cref="MeasuredAloneCollection"/>).</summary>
[Collection(MeasuredAloneCollection.Name)]
public sealed partial class ReadmeTests
{
    private static string[] FrontPage => File.ReadAllLines(Path.Combine(TestPaths.RepositoryRoot, "README.md"));

    [Fact]
    public void Ci_runs_exactly_the_test_command_written_in_the_readme()
    {
        var command = CommandAfter(FrontPage, "<!-- test-command");

        var ci = File.ReadAllLines(Path.Combine(TestPaths.RepositoryRoot, ".ci", "run"))
            .Select(line => line.Trim())
            .Where(line => line.StartsWith("dotnet test", StringComparison.Ordinal))
            .ToArray();

        Assert.Equal([command], ci);
    }

    [Fact]
    public async Task The_main_job_runs_the_demo_model_with_no_model_given_and_drafts()
    {
        var command = CommandAfter(FrontPage, "<!-- main-job");
        const string Prefix = "dotnet run --project src/LookupDecode.Cli -c Release -- ";
        Assert.StartsWith(Prefix, command, StringComparison.Ordinal);
        var arguments = ShellWords(command[Prefix.Length..]);
        Assert.DoesNotContain("--model", arguments);
        Assert.DoesNotContain("-m", arguments);

        var (exitCode, output, error) = await CliRunner.RunAsync([.. arguments, "--threads", "2", "--json"]);

        Assert.True(exitCode == 0, error);
        Assert.Contains("running the demo model stories260K.gguf", error, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("auto", json.RootElement.GetProperty("mode").GetString());
        Assert.True(json.RootElement.GetProperty("n_accept").GetInt32() > 0, output);
    }

    [Fact]
    public void Every_relative_link_in_every_readme_names_a_file_or_folder_that_exists()
    {
        var broken = new List<string>();
        foreach (var readme in Readmes())
        {
            var folder = Path.GetDirectoryName(readme)!;
            foreach (Match link in MarkdownLink().Matches(File.ReadAllText(readme)))
            {
                var target = link.Groups["target"].Value.Split('#')[0];
                if (target.Length == 0 || target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
                {
                    continue;
                }

                var resolved = Path.GetFullPath(Path.Combine(folder, target));
                if (!File.Exists(resolved) && !Directory.Exists(resolved))
                {
                    broken.Add($"{Path.GetRelativePath(TestPaths.RepositoryRoot, readme)}: {link.Value}");
                }
            }
        }

        Assert.Empty(broken);
    }

    [Fact]
    public void Every_packed_project_ships_its_own_readme()
    {
        foreach (var name in new[] { "LookupDecode", "LookupDecode.Hosting", "LookupDecode.Cli" })
        {
            var project = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "src", name, name + ".csproj"));
            Assert.Contains("<PackageReadmeFile>README.md</PackageReadmeFile>", project, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(TestPaths.RepositoryRoot, "src", name, "README.md")), name);
        }
    }

    /// <summary>The first line of the fenced block that follows the marker line.</summary>
    private static string CommandAfter(string[] readme, string marker)
    {
        var at = Array.FindIndex(readme, line => line.StartsWith(marker, StringComparison.Ordinal));
        Assert.True(at >= 0, $"README.md lost its '{marker}' marker");
        Assert.StartsWith("```", readme[at + 1], StringComparison.Ordinal);
        return readme[at + 2].Trim();
    }

    /// <summary>Splits a command line as a POSIX shell does for plain words and double-quoted ones.</summary>
    private static string[] ShellWords(string line) =>
        ShellWord().Matches(line).Select(match => match.Groups["quoted"].Success ? match.Groups["quoted"].Value : match.Value).ToArray();

    private static IEnumerable<string> Readmes() =>
        Directory.EnumerateFiles(TestPaths.RepositoryRoot, "README.md", SearchOption.AllDirectories)
            .Where(path => !Path.GetRelativePath(TestPaths.RepositoryRoot, path).Split(Path.DirectorySeparatorChar)
                .Any(part => part is "bin" or "obj" or "artifacts" or "node_modules" or "upstream" || part.StartsWith('.')));

    [GeneratedRegex(@"\[[^\]]*\]\((?<target>[^)\s]+)\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex("\"(?<quoted>[^\"]*)\"|[^\\s\"]+")]
    private static partial Regex ShellWord();
}
