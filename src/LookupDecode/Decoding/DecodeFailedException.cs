namespace LookupDecode.Decoding;

/// <summary><c>llama_decode</c> returned an error; the message carries its status and the batch that failed.</summary>
public sealed class DecodeFailedException : LookupDecodeException
{
    /// <summary>Creates the exception.</summary>
    public DecodeFailedException(string status, int batchTokens, int startPosition)
        : base($"llama_decode failed with status {status} on a batch of {batchTokens} tokens at position {startPosition}.")
    {
        Status = status;
    }

    /// <summary>llama.cpp's status name (e.g. NoKvSlot).</summary>
    public string Status { get; }
}
