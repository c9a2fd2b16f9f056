namespace LookupDecode.Drafting;

/// <summary>
/// A drafter that also says how much evidence stands behind each drafted token, as an evidence class (for the n-gram
/// drafter: which cache, n-gram size, winner share and sample count; for prompt lookup: match length and position).
/// Adaptive drafting learns each class's real acceptance rate online and uses it to decide how many drafts are worth
/// verifying.
/// </summary>
public interface IScoredDraftSource : IDraftSource
{
    /// <summary>Number of evidence classes; classes are 0 … count - 1.</summary>
    int EvidenceClassCount { get; }

    /// <summary>Acceptance probability assumed for a class before any outcome has been observed.</summary>
    double PriorAcceptance(int evidenceClass);

    /// <summary>Like <see cref="IDraftSource.Propose"/>, also writing each drafted token's evidence class.</summary>
    int Propose(ReadOnlySpan<int> history, Span<int> draft, Span<int> evidence);
}
