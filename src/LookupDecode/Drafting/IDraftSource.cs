namespace LookupDecode.Drafting;

/// <summary>
/// Proposes tokens the model is likely to generate next, cheaply and without the model. The decoding loop
/// verifies every proposal, so a drafter can only change speed, never output. A drafter knows nothing
/// about llama.cpp; the loop knows nothing about how drafts are found.
/// </summary>
/// <remarks>
/// Call order for one generation: <see cref="Begin"/> with the prompt, then for every emitted token
/// <see cref="Observe"/>, with <see cref="Propose"/> between them whenever the loop wants a draft, then
/// <see cref="End"/>. Implementations must not allocate in <see cref="Observe"/> or <see cref="Propose"/>
/// in steady state.
/// </remarks>
public interface IDraftSource
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

    /// <summary>The generation ended (normally or not); <paramref name="history"/> is its whole history.</summary>
    void End(ReadOnlySpan<int> history);
}
