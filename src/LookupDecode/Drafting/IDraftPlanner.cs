namespace LookupDecode.Drafting;

/// <summary>
/// Decides, at every decoding step, which draft tokens to verify: a fixed-length drafter, or the adaptive planner that
/// weighs several drafters' proposals against the measured cost of verification. The decoding loop feeds it every
/// emitted token and every verification outcome.
/// </summary>
internal interface IDraftPlanner
{
    void Begin(ReadOnlySpan<int> prompt);

    void Observe(ReadOnlySpan<int> history);

    /// <summary>Writes up to <c>draft.Length</c> tokens to verify after the pending token; returns how many (0 = plain step).</summary>
    int Plan(ReadOnlySpan<int> history, Span<int> draft, int depth);

    /// <summary>
    /// The step's outcome: <paramref name="emitted"/> are the tokens it emitted (accepted drafts, then the model's own
    /// token); the decode of <paramref name="batchSize"/> tokens at <paramref name="depth"/> took <paramref name="milliseconds"/>.
    /// </summary>
    void Verified(ReadOnlySpan<int> emitted, int batchSize, int depth, double milliseconds);

    void End(ReadOnlySpan<int> history);
}

/// <summary>Drafts as many tokens as the drafter proposes, up to the fixed draft length (llama-lookup's behaviour).</summary>
internal sealed class FixedDraftPlanner(IDraftSource source) : IDraftPlanner
{
    public void Begin(ReadOnlySpan<int> prompt) => source.Begin(prompt);

    public void Observe(ReadOnlySpan<int> history) => source.Observe(history);

    public int Plan(ReadOnlySpan<int> history, Span<int> draft, int depth) => source.Propose(history, draft);

    public void Verified(ReadOnlySpan<int> emitted, int batchSize, int depth, double milliseconds)
    {
    }

    public void End(ReadOnlySpan<int> history) => source.End(history);
}
