namespace LookupDecode.Models;

/// <summary>How the child-process check of a model file ended.</summary>
public enum ModelProbeOutcome
{
    /// <summary>llama.cpp loaded the file and decoded finite, varied logits.</summary>
    Passed,

    /// <summary>llama.cpp refused the file cleanly (its loader returned an error).</summary>
    Refused,

    /// <summary>The first decode gave NaN, infinite or all-equal logits: garbage weights.</summary>
    Garbage,

    /// <summary>The child was killed by a signal (an abort or a segmentation fault inside llama.cpp).</summary>
    Crashed,

    /// <summary>The child did not finish within the timeout.</summary>
    TimedOut,

    /// <summary>The child ended in any other way.</summary>
    Failed,
}

/// <summary>The outcome of a child-process check and, unless it passed, why the file is refused.</summary>
/// <param name="Outcome">How the child ended.</param>
/// <param name="Problem">Why the file is refused (null when it passed), with llama.cpp's last log line where there is one.</param>
public sealed record ModelProbeResult(ModelProbeOutcome Outcome, string? Problem)
{
    /// <summary>The signal that ended the child, for <see cref="ModelProbeOutcome.Crashed"/>; otherwise null.</summary>
    public int? Signal { get; init; }
}
