namespace LookupDecode.Decoding;

/// <summary>
/// Figures of one generation. Names mirror llama.cpp's <c>llama-lookup</c> printout where one exists
/// (<c>n_predict</c> = <see cref="GeneratedTokens"/>, <c>n_drafted</c> = <see cref="DraftedTokens"/>,
/// <c>n_accept</c> = <see cref="AcceptedTokens"/>, <c>accept</c> = <see cref="AcceptPercent"/>,
/// <c>t_draft</c> = <see cref="DraftMicrosecondsPerToken"/>) so runs can be compared with upstream.
/// </summary>
public sealed record GenerationStatistics
{
    /// <summary>Tokens in the prompt (including BOS when the model adds one).</summary>
    public int PromptTokens { get; init; }

    /// <summary>Time spent evaluating the prompt (prefill).</summary>
    public TimeSpan PromptEvalTime { get; init; }

    /// <summary>Tokens generated (upstream <c>n_predict</c>), including a final end-of-generation token.</summary>
    public int GeneratedTokens { get; init; }

    /// <summary>Time from the end of prefill to the last generated token.</summary>
    public TimeSpan DecodeTime { get; init; }

    /// <summary>Draft tokens sent for verification (upstream <c>n_drafted</c>).</summary>
    public int DraftedTokens { get; init; }

    /// <summary>Draft tokens the model confirmed (upstream <c>n_accept</c>).</summary>
    public int AcceptedTokens { get; init; }

    /// <summary><c>llama_decode</c> calls after prefill (each yields at least one token).</summary>
    public int DecodeCalls { get; init; }

    /// <summary><c>llama_decode</c> calls that carried at least one draft token.</summary>
    public int VerifySteps { get; init; }

    /// <summary>Time spent in drafters: indexing the prompt, updating with each token, proposing (upstream <c>t_draft</c>).</summary>
    public TimeSpan DraftTime { get; init; }

    /// <summary>Time spent inside <c>llama_decode</c> after prefill (the rest of <see cref="DecodeTime"/> is managed work).</summary>
    public TimeSpan NativeDecodeTime { get; init; }

    /// <summary>
    /// Time a draft model spent in its own <c>llama_decode</c> calls (part of <see cref="DraftTime"/> and of
    /// <see cref="DecodeTime"/>; zero without one).
    /// </summary>
    public TimeSpan DrafterDecodeTime { get; init; }

    /// <summary>
    /// Managed time per decode step (drafting, the adaptive policy, token selection, bookkeeping, rollback) as a share of
    /// the native <c>llama_decode</c> time per step. A draft model's decoding is native work and not counted
    /// (<see cref="DrafterDecodeTime"/>).
    /// </summary>
    public double ManagedOverheadShare => NativeDecodeTime > TimeSpan.Zero ? (DecodeTime - NativeDecodeTime - DrafterDecodeTime) / NativeDecodeTime : 0;

    /// <summary>
    /// Peak resident memory of the process during this generation, in bytes: the largest resident size sampled after the
    /// prefill, every 16 decodes and at the end. No process-wide reset is involved, so generations running side by side do
    /// not disturb each other's figure.
    /// </summary>
    public long PeakMemoryBytes { get; init; }

    /// <summary>Set when drafting was switched off during the run, with the reason (e.g. the KV cache refused a rollback).</summary>
    public string? DraftingFallback { get; init; }

    /// <summary>Generated tokens per second of decode time.</summary>
    public double TokensPerSecond => DecodeTime > TimeSpan.Zero ? GeneratedTokens / DecodeTime.TotalSeconds : 0;

    /// <summary>Prompt tokens per second of prefill time.</summary>
    public double PromptTokensPerSecond => PromptEvalTime > TimeSpan.Zero ? PromptTokens / PromptEvalTime.TotalSeconds : 0;

    /// <summary>100 × accepted / drafted (0 when nothing was drafted).</summary>
    public double AcceptPercent => DraftedTokens > 0 ? 100.0 * AcceptedTokens / DraftedTokens : 0;

    /// <summary>Accepted draft tokens per verify step: how many tokens each drafted batch saved.</summary>
    public double MeanAcceptLength => VerifySteps > 0 ? (double)AcceptedTokens / VerifySteps : 0;

    /// <summary>Drafting time per drafted token in microseconds (upstream's "µs per token"; 0 when nothing was drafted).</summary>
    public double DraftMicrosecondsPerToken => DraftedTokens > 0 ? DraftTime.TotalMicroseconds / DraftedTokens : 0;

    /// <summary>Peak memory in MiB.</summary>
    public double PeakMemoryMegabytes => PeakMemoryBytes / (1024.0 * 1024.0);
}
