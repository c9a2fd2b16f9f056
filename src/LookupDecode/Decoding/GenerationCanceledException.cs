namespace LookupDecode.Decoding;

/// <summary>
/// A generation was cancelled through its <see cref="CancellationToken"/>. Nothing is lost: the tokens
/// emitted before cancellation are in <see cref="PartialResult"/>, and the session can be used again at once.
/// </summary>
public sealed class GenerationCanceledException : OperationCanceledException
{
    /// <summary>Creates the exception.</summary>
    public GenerationCanceledException(GenerationResult partialResult, CancellationToken cancellationToken)
        : base($"Generation was cancelled after {partialResult.Tokens.Count} tokens.", cancellationToken)
    {
        PartialResult = partialResult;
    }

    /// <summary>What had been generated when cancellation was observed.</summary>
    public GenerationResult PartialResult { get; }
}
