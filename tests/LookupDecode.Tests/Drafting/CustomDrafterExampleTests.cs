using LookupDecode.Drafting;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Drafting;

/// <summary>A drafter of the user's own plugs in through public API, fixed or adaptive, and output stays greedy's.</summary>
[Collection(SharedModelsCollection.Name)]
public sealed class CustomDrafterExampleTests(SharedModels models)
{
    [Fact]
    public void Readme_shows_exactly_the_custom_drafter_example_that_compiles_here()
    {
        var source = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "tests", "LookupDecode.Tests", "Drafting", "CustomDrafterExample.cs"));
        var readme = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "src", "LookupDecode", "README.md"));

        Assert.Contains(Between(source, "// <readme-custom-drafter>", "// </readme-custom-drafter>", indent: 0), readme, StringComparison.Ordinal);
        Assert.Contains(Between(source, "// <readme-custom-plan>", "// </readme-custom-plan>", indent: 8), readme, StringComparison.Ordinal);
    }

    [ModelFact]
    public void The_custom_drafter_example_drafts_and_equals_greedy()
    {
        var (drafted, plain) = CustomDrafterExample.Run(models.Get(TestModelNames.TinyRandom));

        Assert.Equal(plain.Tokens, drafted.Tokens);
        Assert.True(drafted.Statistics.AcceptedTokens > 0, "the looping model should accept some drafts");
        Assert.True(drafted.Statistics.DecodeCalls < plain.Statistics.DecodeCalls);
    }

    [ModelFact]
    public void A_custom_drafter_without_evidence_works_adaptively_and_is_disposed_after_each_generation()
    {
        var created = new List<CountingDrafter>();
        using var session = models.Get(TestModelNames.TinyRandom).CreateSession();
        var plan = DraftingPlan.AdaptiveOver(8, _ =>
        {
            var drafter = new CountingDrafter(new LastFollowerDrafter());
            created.Add(drafter);
            return drafter;
        });
        var options = new LookupDecode.Decoding.GenerationOptions
        {
            MaxTokens = 48,
            Drafting = plan,
            Adaptive = new LookupDecode.Decoding.AdaptiveDraftingOptions { CostCurve = LookupDecode.Calibration.DecodeCostCurve.Flat(9) },
        };

        var first = session.Generate("Once upon a time", options);
        var second = session.Generate("Once upon a time", options);
        var plain = session.Generate("Once upon a time", options with { Drafting = DraftingPlan.None });

        Assert.Equal(plain.Tokens, first.Tokens);
        Assert.Equal(plain.Tokens, second.Tokens);
        Assert.Equal(2, created.Count);
        Assert.All(created, drafter => Assert.True(drafter.Disposed));
        // Every emitted token after the prefill's first arrives in some step's outcome.
        Assert.All(created, drafter => Assert.Equal(drafter.Steps - 1, drafter.Outcomes));
        Assert.True(created[1].ConfirmedByOutcome > 0, "outcomes tell the drafter what was confirmed");
    }

    private static string Between(string text, string start, string end, int indent)
    {
        var from = text.IndexOf(start, StringComparison.Ordinal) + start.Length;
        var block = text[from..text.IndexOf(end, from, StringComparison.Ordinal)].Trim('\r', '\n');
        return string.Join('\n', block.Split('\n').Select(line => line.Length >= indent ? line[indent..] : line.TrimStart())).Trim();
    }

    /// <summary>Wraps a drafter and records the outcomes and disposal it sees.</summary>
    private sealed class CountingDrafter(IDraftSource inner) : IDraftSource
    {
        public int Steps { get; private set; }

        public int Outcomes { get; private set; }

        public int ConfirmedByOutcome { get; private set; }

        public bool Disposed { get; private set; }

        public string Name => inner.Name;

        public void Begin(ReadOnlySpan<int> prompt) => inner.Begin(prompt);

        public void Observe(ReadOnlySpan<int> history)
        {
            Steps++;
            inner.Observe(history);
        }

        public int Propose(ReadOnlySpan<int> history, Span<int> draft) => inner.Propose(history, draft);

        public void Verified(in DraftOutcome outcome)
        {
            Outcomes += outcome.Emitted.Length;
            ConfirmedByOutcome += outcome.ProposedConfirmed;
        }

        public void End(ReadOnlySpan<int> history) => inner.End(history);

        public void Dispose() => Disposed = true;
    }
}
