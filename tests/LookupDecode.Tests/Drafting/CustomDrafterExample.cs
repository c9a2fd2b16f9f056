// README example: the lines between the markers are copied verbatim into src/LookupDecode/README.md ("Drafting plans, and a drafter of your own"),
// and CustomDrafterExampleTests checks that the two stay identical and that it runs: output equal to greedy.
using LookupDecode.Decoding;
using LookupDecode.Drafting;
using LookupDecode.Models;

namespace LookupDecode.Tests.Drafting;

// <readme-custom-drafter>
/// <summary>Proposes what followed the last earlier occurrence of the current token, and what followed that, …</summary>
public sealed class LastFollowerDrafter : IDraftSource
{
    private readonly Dictionary<int, int> _next = [];

    public string Name => "last-follower";

    public void Begin(ReadOnlySpan<int> prompt)
    {
        _next.Clear();
        for (var i = 1; i < prompt.Length; i++)
        {
            _next[prompt[i - 1]] = prompt[i];
        }
    }

    public void Observe(ReadOnlySpan<int> history) => _next[history[^2]] = history[^1];

    public int Propose(ReadOnlySpan<int> history, Span<int> draft)
    {
        var count = 0;
        for (var token = history[^1]; count < draft.Length && _next.TryGetValue(token, out token);)
        {
            draft[count++] = token;
        }

        return count;
    }

    public void End(ReadOnlySpan<int> history)
    {
    }
}
// </readme-custom-drafter>

internal static class CustomDrafterExample
{
    public static (GenerationResult Drafted, GenerationResult Plain) Run(LlamaModel model)
    {
        using var session = model.CreateSession();
        // <readme-custom-plan>
        var options = new GenerationOptions { MaxTokens = 64, Drafting = DraftingPlan.Fixed(4, _ => new LastFollowerDrafter()) };
        var drafted = session.Generate("Once upon a time", options);
        var plain = session.Generate("Once upon a time", options with { Drafting = DraftingPlan.None });
        Console.WriteLine($"identical: {drafted.Tokens.SequenceEqual(plain.Tokens)}, "
                          + $"{drafted.Statistics.AcceptedTokens} of {drafted.Statistics.DraftedTokens} drafted tokens accepted");
        // </readme-custom-plan>
        return (drafted, plain);
    }
}
