using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Repository;

public sealed class ReadmeTests
{
    [Fact]
    public void Ci_runs_exactly_the_test_command_written_in_the_readme()
    {
        var readme = File.ReadAllLines(Path.Combine(TestPaths.RepositoryRoot, "README.md"));
        var marker = Array.FindIndex(readme, line => line.StartsWith("<!-- test-command", StringComparison.Ordinal));
        Assert.True(marker >= 0, "README.md lost its test-command marker");
        var command = readme[marker + 2].Trim();

        var ci = File.ReadAllLines(Path.Combine(TestPaths.RepositoryRoot, ".ci", "run"))
            .Select(line => line.Trim())
            .Where(line => line.StartsWith("dotnet test", StringComparison.Ordinal))
            .ToArray();

        Assert.Equal([command], ci);
    }
}
