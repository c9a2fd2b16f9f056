namespace LookupDecode.Decoding;

/// <summary>
/// The KV cache did not drop rejected draft positions (recurrent and hybrid memories refuse partial removal).
/// The decoding loop catches it, rebuilds the cache and continues without drafts.
/// </summary>
public sealed class KvCacheRollbackException : LookupDecodeException
{
    /// <summary>Creates the exception.</summary>
    public KvCacheRollbackException(int removeFrom, int maxPositionAfter)
        : base($"The model's memory refused to remove positions {removeFrom} and later (highest position still held: {maxPositionAfter}); "
               + "speculative decoding needs a KV cache that supports partial removal.")
    {
        RemoveFrom = removeFrom;
        MaxPositionAfter = maxPositionAfter;
    }

    /// <summary>First position that should have been removed.</summary>
    public int RemoveFrom { get; }

    /// <summary>Highest position still held after the removal.</summary>
    public int MaxPositionAfter { get; }
}
