using LookupDecode.Calibration;
using LookupDecode.Replay;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Replay;

/// <summary>
/// Forced replay runs the real engine with the trace choosing each token; for fixed-length drafters its drafted and
/// accepted counts equal offline replay's exactly, turn by turn.
/// </summary>
public sealed class ForcedReplayTests(SpecBenchTraces traces) : IClassFixture<SpecBenchTraces>
{
    private IReadOnlyList<ReplayTrace> FewPerCategory() => traces.All
        .Where(trace => trace.Prompt.Length + 200 < 8192)
        .GroupBy(trace => trace.Category)
        .SelectMany(group => group.Take(2))
        .ToArray();

    [TraceFact]
    public void Forced_and_offline_replay_agree_on_drafted_and_accepted_counts_for_fixed_drafters()
    {
        var few = FewPerCategory();
        string[] names = ["pld", "llama-lookup", "prompt-lookup-d3", "lookup-d10"];
        var variants = names.Select(name => ReplayVariant.Parse(name)).ToArray();

        var forced = ReplayRunner.Force(traces.Model, few, variants, maxTokens: 96);
        var offline = ReplayRunner.Simulate(few, variants, CostModel.Flat(), maxTokens: 96, traces.Model.IsEndOfGeneration);

        foreach (var name in names)
        {
            var f = forced.Variants.Single(variant => variant.Name == name).PerTrace;
            var o = offline.Variants.Single(variant => variant.Name == name).PerTrace;
            Assert.Equal(few.Count, f.Count);
            for (var t = 0; t < few.Count; t++)
            {
                Assert.Equal((o[t].Tokens, o[t].Steps, o[t].Drafted, o[t].Accepted), (f[t].Tokens, f[t].Steps, f[t].Drafted, f[t].Accepted));
            }
        }

        Assert.Contains(forced.Variants, variant => variant.Name == "greedy");
        Assert.True(offline.Variants.Sum(variant => variant.Overall.Figures.Accepted) > 0, "the traces should accept some drafts");
    }

    [TraceFact]
    public void Forced_replay_emits_the_recorded_answer_whatever_the_model_would_write()
    {
        var trace = FewPerCategory()[0];
        using var session = traces.Model.CreateSession();

        var result = session.Replay(trace.Prompt, trace.Answer, new LookupDecode.Decoding.GenerationOptions { MaxTokens = 50, Drafting = LookupDecode.Drafting.DraftingPresets.Get("pld") });

        Assert.Equal(trace.Answer.Take(50), result.Tokens);
    }

    [TraceFact]
    public void Forced_replay_keeps_to_the_recording_even_when_asked_for_the_upstream_stopping_rule()
    {
        var trace = FewPerCategory()[1];
        using var session = traces.Model.CreateSession();
        var options = new LookupDecode.Decoding.GenerationOptions
        {
            MaxTokens = 4096,
            UpstreamStoppingRule = true,
            Drafting = LookupDecode.Drafting.DraftingPresets.Get("lookup-d10"),
        };

        var result = session.Replay(trace.Prompt, trace.Answer, options);

        Assert.Equal(trace.Answer, result.Tokens);
    }
}
