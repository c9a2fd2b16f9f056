namespace LookupDecode.Drafting;

/// <summary>
/// Lets adaptive drafting use a drafter that reports no evidence: all its tokens share one evidence class per position
/// in the draft (1, 2, 3-4, 5-8, 9+), whose acceptance is learned like any other's from a cautious prior.
/// </summary>
internal sealed class ScoredDraftSource(IDraftSource inner) : IScoredDraftSource
{
    private const int PositionBins = 5;

    /// <summary>The wrapped drafter.</summary>
    public IDraftSource Inner => inner;

    /// <summary>The drafter behind <paramref name="source"/>: the wrapped one, or <paramref name="source"/> itself.</summary>
    public static IDraftSource Unwrap(IDraftSource source) => source is ScoredDraftSource wrapped ? wrapped.Inner : source;

    public string Name => inner.Name;

    public int EvidenceClassCount => PositionBins;

    public double PriorAcceptance(int evidenceClass) => 0.5 * Math.Pow(0.9, evidenceClass);

    public void Begin(ReadOnlySpan<int> prompt) => inner.Begin(prompt);

    public void Observe(ReadOnlySpan<int> history) => inner.Observe(history);

    public int Propose(ReadOnlySpan<int> history, Span<int> draft) => inner.Propose(history, draft);

    public int Propose(ReadOnlySpan<int> history, Span<int> draft, Span<int> evidence)
    {
        var count = inner.Propose(history, draft);
        for (var i = 0; i < count && i < evidence.Length; i++)
        {
            evidence[i] = i switch { 0 => 0, 1 => 1, < 4 => 2, < 8 => 3, _ => 4 };
        }

        return count;
    }

    public void Verified(in DraftOutcome outcome) => inner.Verified(outcome);

    public void End(ReadOnlySpan<int> history) => inner.End(history);

    public void Dispose() => inner.Dispose();
}
