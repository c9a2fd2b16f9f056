using LLama.Native;
using LookupDecode.Decoding;

namespace LookupDecode.Native;

/// <summary>
/// Several independent sequences in one context (the many-sequence engine): a batch is assembled token by token, each
/// with its sequence id, position and whether its logits are kept, and decoded in one <c>llama_decode</c>; each
/// sequence is rolled back on its own, and every removal is checked.
/// </summary>
internal sealed partial class NativeContext
{
    /// <summary>Starts assembling a new batch.</summary>
    public void ClearBatch() => _batch.Clear();

    /// <summary>Adds one token of <paramref name="sequence"/> at <paramref name="position"/>; returns its index in the batch (its logits' index).</summary>
    public int AddToBatch(int token, int position, int sequence, bool logits)
    {
        if (_batch.TokenCount >= BatchCapacity)
        {
            throw new InvalidOperationException($"the batch already holds {BatchCapacity} tokens, the most one decode may carry");
        }

        var index = _batch.TokenCount;
        _batch.Add((LLamaToken)token, position, (LLamaSeqId)sequence, logits);
        return index;
    }

    /// <summary>Decodes the assembled batch in one <c>llama_decode</c>.</summary>
    /// <exception cref="DecodeFailedException">llama.cpp refused or failed the batch.</exception>
    public void DecodeBatch()
    {
        var result = _handle.Decode(_batch);
        if (result != DecodeResult.Ok)
        {
            throw new DecodeFailedException(result.ToString(), _batch.TokenCount, 0);
        }
    }

    /// <summary>Highest position <paramref name="sequence"/> holds, or -1 when it is empty.</summary>
    public int MaxPositionOf(int sequence) => _handle.MemorySequenceMaxPosition((LLamaSeqId)sequence).Value;

    /// <summary>
    /// Removes <paramref name="sequence"/>'s KV entries at <paramref name="position"/> or later, leaving every other
    /// sequence's untouched, and checks that the cache really dropped them.
    /// </summary>
    /// <exception cref="KvCacheRollbackException">The memory kept entries it was asked to remove.</exception>
    public void TruncateSequenceFrom(int sequence, int position)
    {
        _handle.MemorySequenceRemove((LLamaSeqId)sequence, position, -1);
        var maxPosition = MaxPositionOf(sequence);
        if (maxPosition >= position)
        {
            throw new KvCacheRollbackException(position, maxPosition);
        }
    }
}
