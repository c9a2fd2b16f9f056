using LookupDecode.Decoding;
using LookupDecode.Drafting;
using LookupDecode.Ngrams;
using LookupDecode.Tests.Support;
using LookupDecode.Text;

namespace LookupDecode.Tests.Decoding;

/// <summary>
/// Figure-for-figure parity with upstream llama.cpp 0.7.0's <c>llama-lookup</c>: with its stopping rule, the same
/// text, <c>n_predict</c>, <c>n_drafted</c> and <c>n_accept</c> on every recorded run, including the runs with
/// static (<c>-lcs</c>) and dynamic (<c>-lcd</c>) caches, and the same dynamic cache file written at the end.
/// </summary>
[Collection(SharedModelsCollection.Name)]
public sealed class UpstreamLookupParityTests(SharedModels models) : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> PlainRuns => new(UpstreamRun.Files("*.draft*.json")
        .Where(file => !file.Contains("static", StringComparison.Ordinal) && !file.Contains("lookup-stats", StringComparison.Ordinal))
        .DefaultIfEmpty("none"));

    [ModelTheory, MemberData(nameof(PlainRuns))]
    public void Lookup_matches_upstream_text_and_drafting_figures(string fixture)
    {
        var run = UpstreamRun.Load(fixture);

        var (text, statistics, _) = Generate(run, new LookupCacheOptions());

        Assert.Equal(run.PrintedText, text);
        Assert.Equal((run.Predicted, run.Drafted, run.Accepted),
            ((double)statistics.GeneratedTokens, (double)statistics.DraftedTokens, (double)statistics.AcceptedTokens));
    }

    public static TheoryData<string> CacheRuns => new(UpstreamRun.Files("*.draft*.static-dynamic*.json").DefaultIfEmpty("none"));

    [ModelTheory, MemberData(nameof(CacheRuns))]
    public void Lookup_with_static_and_dynamic_caches_matches_upstream_and_saves_the_same_dynamic_cache(string fixture)
    {
        var run = UpstreamRun.Load(fixture);
        var dynamicPath = _temp.File("dynamic.lcd.bin");
        if (run.DynamicCacheIn is { } input && !input.StartsWith("(none", StringComparison.Ordinal))
        {
            File.Copy(TestPaths.Fixture("upstream", input), dynamicPath);
        }
        else if (fixture.Contains("2nd-run", StringComparison.Ordinal))
        {
            File.Copy(TestPaths.Fixture("upstream", "stories260K.tiny-dog.dynamic.lcd.bin"), dynamicPath);
        }

        var caches = LookupCacheOptions.FromFiles(TestPaths.Fixture("upstream", run.StaticCache!), dynamicPath);
        var (text, statistics, _) = Generate(run, caches);
        caches.DynamicCache!.Save(dynamicPath); // what llama-lookup (and our CLI) do after the run

        Assert.Equal(run.PrintedText, text);
        Assert.Equal((run.Predicted, run.Drafted, run.Accepted),
            ((double)statistics.GeneratedTokens, (double)statistics.DraftedTokens, (double)statistics.AcceptedTokens));
        var expectedCache = NgramCache.Load(TestPaths.Fixture("upstream", Path.GetFileName(run.DynamicCacheOut!)));
        Assert.True(expectedCache.ContentEquals(NgramCache.Load(dynamicPath)), "saved dynamic cache differs from upstream's");
    }

    [ModelFact]
    public void Upstream_stopping_rule_overshoots_the_limit_only_within_the_last_batch()
    {
        var run = UpstreamRun.Load("llama-2-tiny-random.qa-context.draft16.json");

        var (_, statistics, result) = Generate(run, new LookupCacheOptions());

        Assert.True(statistics.GeneratedTokens > run.MaxTokens);
        Assert.Equal(StopReason.MaxTokens, result.StopReason);
        using var session = models.Get(run.ModelName).CreateSession();
        var exact = session.Generate(PromptFile.ReadText(TestPaths.Prompt(run.PromptName)),
            new GenerationOptions { Drafting = DraftingPresets.Get($"lookup-d{run.DraftLength}"), MaxTokens = run.MaxTokens });
        Assert.Equal(run.MaxTokens, exact.Tokens.Count);
        Assert.Equal(result.Tokens.Take(run.MaxTokens), exact.Tokens);
    }

    private (string Text, GenerationStatistics Statistics, GenerationResult Result) Generate(UpstreamRun run, LookupCacheOptions caches)
    {
        var model = models.Get(run.ModelName);
        using var session = model.CreateSession();
        var prompt = model.Tokenize(PromptFile.ReadText(TestPaths.Prompt(run.PromptName)));
        var result = session.Generate(prompt, new GenerationOptions
        {
            Drafting = DraftingPresets.Get($"lookup-d{run.DraftLength}"),
            MaxTokens = run.MaxTokens,
            UpstreamStoppingRule = true,
            Lookup = caches,
        });
        return (model.Detokenize([.. prompt, .. result.Tokens]), result.Statistics, result);
    }
}
