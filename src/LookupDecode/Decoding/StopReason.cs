namespace LookupDecode.Decoding;

/// <summary>Why a generation ended.</summary>
public enum StopReason
{
    /// <summary>The model emitted an end-of-generation token (EOS, EOT, …); it is the last generated token.</summary>
    EndOfGeneration,

    /// <summary>The requested number of tokens was generated (or exceeded, with the upstream stopping rule).</summary>
    MaxTokens,

    /// <summary>The context has no room for another token.</summary>
    ContextFull,

    /// <summary>One of <see cref="GenerationOptions.StopSequences"/> appeared; the text ends before it.</summary>
    StopSequence,

    /// <summary>The caller cancelled; only seen in <see cref="GenerationCanceledException.PartialResult"/>.</summary>
    Cancelled,
}
