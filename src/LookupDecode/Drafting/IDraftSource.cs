namespace LookupDecode.Drafting;

/// <summary>
/// Proposes tokens the model is likely to generate next. The decoding loop verifies every proposal, so a drafter can
/// only change speed, never output. A drafter knows nothing about the loop; the loop knows nothing about how drafts are
/// found. Implement this to plug in a drafter of your own (see <see cref="DraftingPlan"/>).
/// </summary>
/// <remarks>
/// Call order for one generation: <see cref="Begin"/> with the prompt, then for every emitted token
/// <see cref="Observe"/>, with <see cref="Propose"/> before a step that drafts and <see cref="Verified"/> after every
/// step, then <see cref="End"/>; <see cref="IDisposable.Dispose"/> when the drafter's owner (the generation that created
/// it) is done with it. Implementations must not allocate in <see cref="Observe"/>, <see cref="Propose"/> or
/// <see cref="Verified"/> in steady state. <see cref="Verified"/> and <see cref="IDisposable.Dispose"/> do nothing unless
/// implemented: a drafter that owns native resources (a draft model's context) releases them in Dispose.
/// </remarks>
public interface IDraftSource : IDisposable
{
    /// <summary>Short name for statistics and logs (e.g. "lookup", "prompt-lookup").</summary>
    string Name { get; }

    /// <summary>Starts a generation whose history so far is <paramref name="prompt"/>.</summary>
    void Begin(ReadOnlySpan<int> prompt);

    /// <summary>
    /// One token was appended to the history; <paramref name="history"/> is the whole history including it.
    /// </summary>
    void Observe(ReadOnlySpan<int> history);

    /// <summary>
    /// Writes up to <c>draft.Length</c> tokens predicted to follow <paramref name="history"/>; returns how many.
    /// </summary>
    int Propose(ReadOnlySpan<int> history, Span<int> draft);

    /// <summary>
    /// A step was verified: what this drafter had proposed for it, what was verified (its own proposal, a prefix of it,
    /// another drafter's, or nothing), how much of that was accepted and the tokens the step emitted.
    /// </summary>
    void Verified(in DraftOutcome outcome)
    {
    }

    /// <summary>The generation ended (normally or not); <paramref name="history"/> is its whole history.</summary>
    void End(ReadOnlySpan<int> history);

    /// <summary>Releases what the drafter owns. Nothing by default.</summary>
    void IDisposable.Dispose()
    {
    }
}
