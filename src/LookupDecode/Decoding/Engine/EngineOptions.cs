using LookupDecode.Models;

namespace LookupDecode.Decoding;

/// <summary>How a <see cref="DecodingEngine"/>'s sequences share the KV cache.</summary>
public enum KvLayout
{
    /// <summary>
    /// One stream per sequence (llama.cpp <c>kv_unified = false</c>): each sequence's cells are laid out as a lone
    /// sequence's are, so its logits are bit-identical to a solo generation's. The default.
    /// </summary>
    PerSequence,

    /// <summary>
    /// One cache shared by all sequences (<c>kv_unified = true</c>): a sequence's cells may interleave with the others'
    /// after rollbacks, which may change the order attention sums them in (see the engine's notes on exactness).
    /// </summary>
    Unified,
}

/// <summary>Settings of a <see cref="DecodingEngine"/>: how many requests it runs at once and how big one step may be.</summary>
public sealed record EngineOptions
{
    /// <summary>Most sequences a context may hold (llama.cpp's <c>LLAMA_MAX_SEQ</c> is 256; the engine keeps to far fewer).</summary>
    public const int MaxSequences = 64;

    /// <summary>Requests generating at once, each in its own sequence of <see cref="ModelOptions.ContextSize"/> tokens. Default 4.</summary>
    public int Sequences { get; init; } = 4;

    /// <summary>Requests that may wait for a sequence; one more is refused with <see cref="EngineFullException"/>. Default unbounded.</summary>
    public int MaxWaiting { get; init; } = int.MaxValue;

    /// <summary>
    /// Most tokens one step's <c>llama_decode</c> carries (every running sequence's pending token and drafts, then prompt
    /// chunks of joining ones); 0 = the model's batch size (<see cref="ModelOptions.BatchSize"/>). A long prompt is fed in
    /// chunks within it, so it never stalls the streams already running for more than one step's worth.
    /// </summary>
    public int StepTokens { get; init; }

    /// <summary>How the sequences share the KV cache. Default <see cref="KvLayout.PerSequence"/>.</summary>
    public KvLayout KvLayout { get; init; } = KvLayout.PerSequence;

    /// <summary>Checks every value.</summary>
    /// <exception cref="InvalidOptionException">A value is out of range.</exception>
    public void Validate()
    {
        if (Sequences is < 1 or > MaxSequences)
        {
            throw new InvalidOptionException(nameof(Sequences), $"must be between 1 and {MaxSequences}, was {Sequences}");
        }

        if (MaxWaiting < 0)
        {
            throw new InvalidOptionException(nameof(MaxWaiting), $"must not be negative, was {MaxWaiting}");
        }

        if (StepTokens < 0)
        {
            throw new InvalidOptionException(nameof(StepTokens), $"must be 0 (the batch size) or positive, was {StepTokens}");
        }

        if (!Enum.IsDefined(KvLayout))
        {
            throw new InvalidOptionException(nameof(KvLayout), $"is not a layout: {(int)KvLayout}");
        }
    }
}
