namespace LookupDecode.Decoding;

/// <summary>
/// Every sequence of a <see cref="DecodingEngine"/> is busy and its waiting line is full: the request was refused before
/// it was queued (a server answers 429), and nothing of it ran.
/// </summary>
public sealed class EngineFullException : LookupDecodeException
{
    /// <summary>Creates the exception for an engine of <paramref name="sequences"/> sequences and <paramref name="maxWaiting"/> places in line.</summary>
    public EngineFullException(int sequences, int maxWaiting)
        : base($"all {sequences} sequences are generating and {maxWaiting} requests already wait; retry later")
    {
        Sequences = sequences;
        MaxWaiting = maxWaiting;
    }

    /// <summary>Sequences of the engine.</summary>
    public int Sequences { get; }

    /// <summary>Places in its waiting line.</summary>
    public int MaxWaiting { get; }
}
