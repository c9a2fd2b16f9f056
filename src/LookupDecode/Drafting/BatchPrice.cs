namespace LookupDecode.Drafting;

/// <summary>
/// What one sequence's drafts cost when they share a step's batch with other sequences' tokens (the many-sequence
/// engine): the batch already holds <see cref="OtherTokens"/> tokens, so drafting n more after its pending token costs
/// the marginal T(others + 1 + n) − T(others), in units of one single-token decode, and each unit of cost is worth
/// <see cref="Rate"/> tokens, the throughput the whole batch is earning. <see cref="Solo"/> (no other tokens) leaves a
/// planner pricing its own batch against its own rate, as in a single-stream generation.
/// </summary>
/// <param name="OtherTokens">Tokens already in the step's batch that are not this sequence's.</param>
/// <param name="Rate">Tokens the batch earns per single-token decode's worth of time.</param>
internal readonly record struct BatchPrice(int OtherTokens, double Rate)
{
    /// <summary>A sequence alone in its batch.</summary>
    public static BatchPrice Solo => default;

    /// <summary>True when no other tokens share the batch.</summary>
    public bool IsSolo => OtherTokens <= 0;
}
