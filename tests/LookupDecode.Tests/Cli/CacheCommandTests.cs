using System.Text.Json;
using LookupDecode.Ngrams;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Cli;

[Collection(SharedModelsCollection.Name)]
public sealed class CacheCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [ModelTheory]
    [InlineData("llama-2-tiny-random.gguf", "static-corpus.txt", "static-corpus.lcs.bin")]
    [InlineData("stories260K.gguf", "story-corpus.txt", "stories260K.story-corpus.lcs.bin")]
    public async Task Create_writes_the_static_cache_upstream_wrote(string model, string corpus, string expected)
    {
        var output = _temp.File("created.lcs.bin");

        var (exitCode, _, error) = await CliRunner.RunAsync(
            "cache", "create", "--model", TestPaths.Model(model), "--file", TestPaths.Fixture("upstream", corpus), "--out", output);

        Assert.True(exitCode == 0, error);
        Assert.True(NgramCache.Load(TestPaths.Fixture("upstream", expected)).ContentEquals(NgramCache.Load(output)));
    }

    [ModelTheory]
    [InlineData(false, "stories260K.story-corpus.lookup-stats.draft3.c64.json")]
    [InlineData(true, "stories260K.story-corpus.lookup-stats.draft3.c64.static.json")]
    public async Task Stats_reproduce_llama_lookup_stats(bool withStaticCache, string fixture)
    {
        var run = UpstreamRun.Load(fixture);
        List<string> args = ["cache", "stats", "--model", TestPaths.Model("stories260K.gguf"), "--file", TestPaths.Fixture("upstream", "story-corpus.txt"),
            "--ctx", "64", "--draft", "3", "--json"];
        if (withStaticCache)
        {
            args.AddRange(["--static-cache", TestPaths.Fixture("upstream", "stories260K.story-corpus.lcs.bin")]);
        }

        var (exitCode, output, error) = await CliRunner.RunAsync([.. args]);

        Assert.True(exitCode == 0, error);
        using var document = JsonDocument.Parse(output);
        var root = document.RootElement;
        Assert.Equal(run.Predicted, root.GetProperty("n_predict").GetInt32());
        Assert.Equal(run.Drafted, root.GetProperty("n_drafted").GetInt32());
        Assert.Equal(run.Accepted, root.GetProperty("n_accept").GetInt32());
        Assert.Equal(run.AcceptPercent, root.GetProperty("accept_percent").GetDouble(), 3);
    }

    [ModelFact]
    public async Task Merge_combines_every_input_by_content()
    {
        var a = TestPaths.Fixture("upstream", "static-corpus.lcs.bin");
        var b = TestPaths.Fixture("upstream", "story.dynamic.lcd.bin");
        var output = _temp.File("merged.bin");

        var (exitCode, _, error) = await CliRunner.RunAsync("cache", "merge", a, b, a, output);

        Assert.True(exitCode == 0, error);
        var expected = NgramCache.Load(a);
        expected.Merge(NgramCache.Load(b));
        expected.Merge(NgramCache.Load(a));
        Assert.True(expected.ContentEquals(NgramCache.Load(output)));
    }

    [Fact]
    public async Task Merge_of_a_missing_file_is_a_one_line_error()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync("cache", "merge", _temp.File("a.bin"), _temp.File("b.bin"), _temp.File("out.bin"));

        Assert.Equal(1, exitCode);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task Merge_with_too_few_files_says_what_it_needs()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync("cache", "merge", "a.lcd");

        Assert.Equal(2, exitCode);
        Assert.Contains("at least two caches and the output file", error, StringComparison.Ordinal);
    }

    [ModelFact]
    public async Task Stats_on_a_text_shorter_than_one_chunk_warns_instead_of_printing_silent_zeros()
    {
        var (exitCode, output, error) = await CliRunner.RunAsync(
            "cache", "stats", "--model", TestPaths.Model("stories260K.gguf"), "--file", TestPaths.Prompt("story"));

        Assert.Equal(0, exitCode);
        Assert.Contains("n_predict    = 0", output, StringComparison.Ordinal);
        Assert.Contains("warning: the text has", error, StringComparison.Ordinal);
        Assert.Contains("--ctx", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_and_stats_offer_only_the_options_that_apply()
    {
        var (_, create, _) = await CliRunner.RunAsync("cache", "create", "--help");
        var (_, stats, _) = await CliRunner.RunAsync("cache", "stats", "--help");

        Assert.DoesNotContain("--kv-type", create, StringComparison.Ordinal);
        Assert.DoesNotContain("--ctx", create, StringComparison.Ordinal);
        Assert.DoesNotContain("--kv-type", stats, StringComparison.Ordinal);
        Assert.Contains("--ctx", stats, StringComparison.Ordinal);
    }
}
