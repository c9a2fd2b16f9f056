namespace LookupDecode.Decoding;

/// <summary>Where draft tokens come from. Every mode emits exactly the tokens plain decoding would.</summary>
public enum DecodingMode
{
    /// <summary>No drafts: one token per <c>llama_decode</c> (greedy at temperature 0, sampled above).</summary>
    Greedy,

    /// <summary>Hugging Face prompt lookup: continue the most promising earlier occurrence of the last n-gram.</summary>
    PromptLookup,

    /// <summary>llama.cpp <c>examples/lookup</c>: context, dynamic and static n-gram caches.</summary>
    Lookup,

    /// <summary>
    /// Both drafters propose and adaptive drafting picks, per step, the drafter and the number of tokens worth
    /// verifying on this machine, or none (<see cref="DraftPolicy.Adaptive"/> is implied).
    /// </summary>
    Auto,
}

/// <summary>How many draft tokens a step verifies.</summary>
public enum DraftPolicy
{
    /// <summary>As many as the drafter proposes, up to <see cref="GenerationOptions.DraftLength"/> (llama-lookup's behaviour).</summary>
    Fixed,

    /// <summary>
    /// As many as pay for themselves: the number (0 … <see cref="GenerationOptions.DraftLength"/>) maximising expected
    /// emitted tokens per unit of measured verification cost, from acceptance rates learned online.
    /// </summary>
    Adaptive,
}
