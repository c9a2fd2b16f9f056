using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Hosting;

public sealed class ReadmeExampleTests
{
    [Fact]
    public void Readme_shows_exactly_the_example_that_compiles_here()
    {
        var source = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "tests", "LookupDecode.Tests", "Hosting", "ReadmeExample.cs"));
        var readme = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "src", "LookupDecode.Hosting", "README.md"));

        var example = Between(source, "// <readme-example>", "// </readme-example>");
        var lines = example.Split('\n').Select(line => line.Length >= 8 ? line[8..] : line.TrimStart()).ToArray();

        Assert.Contains(string.Join('\n', lines).Trim(), readme, StringComparison.Ordinal);
        Assert.InRange(lines.Count(line => line.Trim().Length > 0), 5, 12);
    }

    [ModelFact]
    public async Task Readme_example_runs()
    {
        var text = await ReadmeExample.RunAsync([], TestPaths.Model("stories260K.gguf"));

        Assert.NotEmpty(text);
    }

    private static string Between(string text, string start, string end)
    {
        var from = text.IndexOf(start, StringComparison.Ordinal) + start.Length;
        return text[from..text.IndexOf(end, from, StringComparison.Ordinal)].Trim('\r', '\n');
    }
}
