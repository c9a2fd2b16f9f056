namespace LookupDecode.Drafting;

/// <summary>
/// What one sequence's drafts cost when they share a step's batch with other sequences' tokens (the many-sequence
/// engine): <see cref="Cost"/> gives the marginal cost of its k tokens (pending + drafts) given everything else already
/// in the batch, in units of one single-token decode, and each unit of cost is worth <see cref="Rate"/> tokens, the
/// throughput the whole batch is earning. <see cref="Solo"/> (no cost given) leaves a planner pricing its own batch
/// against its own rate, as in a single-stream generation.
/// </summary>
/// <param name="Cost">The batch's marginal cost of this sequence's tokens, or null when it is alone.</param>
/// <param name="Rate">Tokens the batch earns per single-token decode's worth of time.</param>
internal readonly record struct BatchPrice(IMarginalCost? Cost, double Rate)
{
    /// <summary>A sequence alone in its batch.</summary>
    public static BatchPrice Solo => default;

    /// <summary>True when no other tokens share the batch.</summary>
    public bool IsSolo => Cost is null;
}

/// <summary>The marginal cost of one sequence's tokens in a shared batch (the engine's, aware of how llama.cpp splits it).</summary>
internal interface IMarginalCost
{
    /// <summary>Cost of the batch with <paramref name="tokens"/> of this sequence's tokens minus the cost without them, in single-token decodes.</summary>
    double Marginal(int tokens);
}
