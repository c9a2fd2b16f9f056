namespace LookupDecode.Drafting;

/// <summary>
/// Decides, at every decoding step, which draft tokens to verify: a fixed-length plan, or the adaptive planner that
/// weighs several drafters' proposals against the measured cost of verification. The decoding loop feeds it every
/// emitted token and every verification outcome; it owns its drafters and disposes them.
/// </summary>
internal interface IDraftPlanner : IDisposable
{
    void Begin(ReadOnlySpan<int> prompt);

    void Observe(ReadOnlySpan<int> history);

    /// <summary>
    /// Prices the next <see cref="Plan"/> against the rest of a batch shared with other sequences; until called (and
    /// after <see cref="BatchPrice.Solo"/>) the planner's batch is its own. Fixed-length planners ignore it.
    /// </summary>
    void PriceNextStep(BatchPrice price)
    {
    }

    /// <summary>Writes up to <c>draft.Length</c> tokens to verify after the pending token; returns how many (0 = plain step).</summary>
    int Plan(ReadOnlySpan<int> history, Span<int> draft, int depth);

    /// <summary>
    /// The step's outcome: <paramref name="verified"/> are the drafts it verified, <paramref name="emitted"/> the tokens it
    /// emitted (accepted drafts, then the model's own token); the decode of <paramref name="batchSize"/> tokens at
    /// <paramref name="depth"/> took <paramref name="milliseconds"/> (NaN when not measured).
    /// </summary>
    void Verified(ReadOnlySpan<int> verified, ReadOnlySpan<int> emitted, int batchSize, int depth, double milliseconds);

    void End(ReadOnlySpan<int> history);

    /// <summary>Time the drafters spent in <c>llama_decode</c> of their own models this generation (<see cref="IDecodingDraftSource"/>).</summary>
    TimeSpan DrafterDecodeTime { get; }

    /// <summary>The name of the drafter whose proposal the last <see cref="Plan"/> returned, or null when it drafted nothing.</summary>
    string? LastDrafter { get; }
}

/// <summary>
/// Drafts as many tokens as the first drafter with a proposal offers, up to the fixed draft length (llama-lookup's
/// behaviour when there is one drafter). The tree planner builds on it (<see cref="Trees.FixedTreeDraftPlanner"/>).
/// </summary>
internal class FixedDraftPlanner(IReadOnlyList<IDraftSource> sources) : DraftPlannerBase<IDraftSource>(sources)
{
    /// <summary>The drafter whose proposal the step verifies (-1: none); it alone is told its proposal was verified.</summary>
    protected int Proposer { get; set; } = -1;

    public override string? LastDrafter => Proposer >= 0 ? Sources[Proposer].Name : null;

    public override int Plan(ReadOnlySpan<int> history, Span<int> draft, int depth)
    {
        Proposer = -1;
        for (var s = 0; s < Sources.Length; s++)
        {
            var count = Sources[s].Propose(history, draft);
            if (count > 0)
            {
                Proposer = s;
                return count;
            }
        }

        return 0;
    }

    public override void Verified(ReadOnlySpan<int> verified, ReadOnlySpan<int> emitted, int batchSize, int depth, double milliseconds)
    {
        var accepted = verified.CommonPrefixLength(emitted);
        for (var s = 0; s < Sources.Length; s++)
        {
            Sources[s].Verified(new DraftOutcome(s == Proposer ? verified : [], verified, accepted, emitted));
        }
    }

}
