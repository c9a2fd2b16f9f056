using LLama.Native;
using LookupDecode.Decoding;
using LookupDecode.Models;

namespace LookupDecode.Native;

/// <summary>
/// Owns one llama.cpp inference context (<see cref="SafeLLamaContextHandle"/>: KV cache, logits, compute
/// buffers) and the batch used to feed it. Single sequence (id 0). Not thread-safe: one generation at a time.
/// </summary>
internal sealed partial class NativeContext : IDisposable
{
    private static readonly LLamaSeqId Sequence = LLamaSeqId.Zero;
    private readonly SafeLLamaContextHandle _handle;
    private readonly LLamaBatch _batch = new();

    private NativeContext(NativeModel model, SafeLLamaContextHandle handle, ModelOptions options)
    {
        Model = model;
        _handle = handle;
        // llama.cpp may round the context up (to a multiple of 256); the caller's limit is the one we honour.
        Size = Math.Min((int)handle.ContextSize, options.ContextSize);
        BatchCapacity = Math.Min((int)handle.BatchSize, Size);
    }

    public NativeModel Model { get; }

    /// <summary>Tokens the KV cache may hold: the requested context size (llama.cpp may allocate a little more).</summary>
    public int Size { get; }

    /// <summary>Tokens llama.cpp actually allocated (it rounds the requested size up, to a multiple of 256).</summary>
    public int AllocatedSize => (int)_handle.ContextSize;

    /// <summary>Most tokens one <see cref="Decode"/> call may carry.</summary>
    public int BatchCapacity { get; }

    internal SafeLLamaContextHandle Handle => _handle;

    /// <summary>The KV cache type the context really uses.</summary>
    public KvCacheType KvCacheType { get; private init; }

    /// <summary>Most tokens llama.cpp computes in one pass (<c>n_ubatch</c>); a bigger batch is split into passes of this size.</summary>
    public const int MicroBatchCapacity = 512;

    /// <summary>Heads narrower than this run a drafting context's attention without flash attention.</summary>
    private const int NarrowHeadSize = 32;

    /// <summary>The KV cache type a context of <paramref name="options"/> gets on a model whose heads are <paramref name="headSize"/> wide.</summary>
    public static KvCacheType ResolveKvCacheType(ModelOptions options, int headSize) => options.KvCacheType switch
    {
        KvCacheType.Auto => headSize > 0 && headSize % 32 == 0 ? KvCacheType.Q8_0 : KvCacheType.F16,
        var explicitType => explicitType,
    };

    /// <summary>
    /// A context of <paramref name="model"/>. A drafting context (a draft model's: its numbers shape proposals, never the
    /// output) holds one sequence only, and with an F16 cache on heads under 32 wide runs without flash attention, whose
    /// per-position cost dominates such narrow heads (stories260K, one token at depth 256 / 512: 0.7 / 0.9 ms with it,
    /// 0.3 / 0.4 ms without, 2 threads).
    /// </summary>
    public static NativeContext Create(NativeModel model, ModelOptions options, int headSize, bool drafting = false)
        => drafting
            ? Create(model, options, headSize, sequences: 1, unified: false, options.ContextSize, drafting: true)
            // llama.cpp aborts (GGML_ASSERT n_outputs_max) on more sequences than a batch holds; a tree verified in one
            // batch never has more branches than the batch has tokens, so a small batch needs no more.
            : Create(model, options, headSize, sequences: Math.Min(MaxSequences, options.EffectiveBatchSize), unified: true, options.ContextSize, drafting: false);

    /// <summary>
    /// A context of <paramref name="sequences"/> sequences of <see cref="ModelOptions.ContextSize"/> tokens each (the
    /// many-sequence engine's): one KV cache of that many cells shared by all (<paramref name="unified"/>), or one stream
    /// per sequence.
    /// </summary>
    /// <exception cref="InvalidOptionException">The batch cannot hold one token of each sequence (llama.cpp would abort).</exception>
    public static NativeContext CreateForSequences(NativeModel model, ModelOptions options, int headSize, int sequences, bool unified)
    {
        if (sequences > options.EffectiveBatchSize)
        {
            throw new InvalidOptionException(nameof(ModelOptions.BatchSize),
                $"a batch of {options.EffectiveBatchSize} tokens cannot hold one token of each of {sequences} sequences: raise it to at least {sequences}");
        }

        return Create(model, options, headSize, sequences, unified, (long)options.ContextSize * sequences, drafting: false);
    }

    /// <summary>The context: <paramref name="cells"/> KV cells (one context's worth when the sequences are a tree's branches, which share the prefix).</summary>
    private static NativeContext Create(NativeModel model, ModelOptions options, int headSize, int sequences, bool unified, long cells, bool drafting)
    {
        if (options.KvCacheType == KvCacheType.Q8_0 && headSize % 32 != 0)
        {
            throw new InvalidOptionException(nameof(ModelOptions.KvCacheType),
                $"Q8_0 needs attention heads whose width is a multiple of 32; {model.Name}'s are {headSize} wide");
        }

        var kvType = ResolveKvCacheType(options, headSize);
        if (kvType == KvCacheType.Q8_0 && options.FlashAttention == FlashAttention.Disabled)
        {
            throw new InvalidOptionException(nameof(ModelOptions.FlashAttention),
                "cannot be off with a Q8_0 KV cache (the default on heads a multiple of 32 wide): choose --kv-type f16 with it");
        }

        var parameters = LLamaContextParams.Default();
        if (kvType == KvCacheType.Q8_0)
        {
            // A quantized V cache needs flash attention.
            parameters.type_k = GGMLType.GGML_TYPE_Q8_0;
            parameters.type_v = GGMLType.GGML_TYPE_Q8_0;
            parameters.llama_flash_attn_type = LLamaFlashAttentionType.LLAMA_FLASH_ATTENTION_TYPE_ENABLED;
        }

        if (cells > int.MaxValue / 2)
        {
            throw new InvalidOptionException(nameof(ModelOptions.ContextSize), $"{sequences} sequences of {options.ContextSize} tokens do not fit one context");
        }

        parameters.n_ctx = (uint)cells;
        parameters.n_batch = (uint)options.EffectiveBatchSize;
        parameters.n_ubatch = (uint)Math.Min(options.EffectiveBatchSize, MicroBatchCapacity);
        // One sequence per branch of a verified token tree, all in one unified KV cache (a branch's cells are the prefix's,
        // shared, plus its own nodes); chains use sequence 0 alone.
        parameters.n_seq_max = (uint)sequences;
        parameters.kv_unified = unified;
        if (drafting && kvType == KvCacheType.F16 && headSize is > 0 and < NarrowHeadSize && options.FlashAttention == FlashAttention.Auto)
        {
            parameters.llama_flash_attn_type = LLamaFlashAttentionType.LLAMA_FLASH_ATTENTION_TYPE_DISABLED;
        }

        if (options.FlashAttention != FlashAttention.Auto)
        {
            parameters.llama_flash_attn_type = options.FlashAttention == FlashAttention.Enabled
                ? LLamaFlashAttentionType.LLAMA_FLASH_ATTENTION_TYPE_ENABLED
                : LLamaFlashAttentionType.LLAMA_FLASH_ATTENTION_TYPE_DISABLED;
        }

        parameters.n_threads = options.EffectiveThreads;
        parameters.n_threads_batch = options.EffectiveThreads;
        SafeLLamaContextHandle handle;
        try
        {
            handle = SafeLLamaContextHandle.Create(model.Handle, parameters);
        }
        catch (LLama.Exceptions.RuntimeError exception)
        {
            throw new NativeBackendException(
                $"llama.cpp could not create a context of {options.ContextSize} tokens for '{model.Name}' (out of memory?).", exception);
        }

        return new NativeContext(model, handle, options) { KvCacheType = kvType };
    }

    /// <summary>Forgets everything in the KV cache.</summary>
    public void Clear() => _handle.MemoryClear(true);

    /// <summary>
    /// Runs one <c>llama_decode</c> over <paramref name="tokens"/> placed at positions
    /// <paramref name="startPosition"/>…; logits are kept for every position or only the last.
    /// </summary>
    public void Decode(ReadOnlySpan<int> tokens, int startPosition, bool logitsForAll)
    {
        _batch.Clear();
        var last = tokens.Length - 1;
        for (var i = 0; i < tokens.Length; i++)
        {
            _batch.Add((LLamaToken)tokens[i], startPosition + i, Sequence, logitsForAll || i == last);
        }

        var result = _handle.Decode(_batch);
        if (result != DecodeResult.Ok)
        {
            throw new DecodeFailedException(result.ToString(), tokens.Length, startPosition);
        }
    }

    /// <summary>Waits until the last decode has finished on the device (a no-op on CPU, needed to time GPU decodes).</summary>
    public void Synchronize() => _handle.Synchronize();

    /// <summary>Logits over the vocabulary for the token at <paramref name="batchIndex"/> of the last decoded batch.</summary>
    public ReadOnlySpan<float> Logits(int batchIndex) => _handle.GetLogitsIth(batchIndex);

    /// <summary>Highest position held for the sequence, or -1 when it is empty.</summary>
    public int MaxPosition => _handle.MemorySequenceMaxPosition(Sequence).Value;

    /// <summary>
    /// Removes every KV entry at <paramref name="position"/> or later and checks that the cache really dropped
    /// them (llama.cpp's remove returns no status through LLamaSharp; recurrent memories refuse partial removal).
    /// </summary>
    public void TruncateFrom(int position)
    {
        _handle.MemorySequenceRemove(Sequence, position, -1);
        var maxPosition = MaxPosition;
        if (maxPosition >= position)
        {
            throw new KvCacheRollbackException(position, maxPosition);
        }
    }

    /// <summary>
    /// Largest absolute difference between the logits of <paramref name="tokens"/> decoded one per
    /// <c>llama_decode</c> and decoded as one batch. Zero means this model and backend compute batched logits
    /// bit-identically to single-token ones. Leaves the KV cache empty.
    /// </summary>
    public float MaxBatchLogitDifference(ReadOnlySpan<int> tokens) => BatchInvarianceAt(tokens, depth: 0, tokens.Length).MaxDifference;

    /// <summary>
    /// Batch invariance where verification needs it: after <paramref name="depth"/> tokens of <paramref name="tokens"/>,
    /// the next <paramref name="width"/> decoded one per <c>llama_decode</c> and as one batch. Returns the largest absolute
    /// logit difference and how many of the positions' argmax differ. Leaves the KV cache empty.
    /// </summary>
    public (float MaxDifference, int ArgmaxMismatches) BatchInvarianceAt(ReadOnlySpan<int> tokens, int depth, int width)
    {
        var vocabulary = Model.VocabularySize;
        var single = new float[width * vocabulary];
        Clear();
        for (var start = 0; start < depth; start += BatchCapacity)
        {
            Decode(tokens.Slice(start, Math.Min(BatchCapacity, depth - start)), start, logitsForAll: false);
        }

        for (var i = 0; i < width; i++)
        {
            Decode(tokens.Slice(depth + i, 1), depth + i, logitsForAll: true);
            Logits(0).CopyTo(single.AsSpan(i * vocabulary, vocabulary));
        }

        TruncateFrom(depth);
        Decode(tokens.Slice(depth, width), depth, logitsForAll: true);
        var difference = 0f;
        var mismatches = 0;
        for (var i = 0; i < width; i++)
        {
            var batched = Logits(i);
            var reference = single.AsSpan(i * vocabulary, vocabulary);
            for (var v = 0; v < vocabulary; v++)
            {
                difference = Math.Max(difference, Math.Abs(batched[v] - reference[v]));
            }

            if (IndexOfMax(batched) != IndexOfMax(reference))
            {
                mismatches++;
            }
        }

        Clear();
        return (difference, mismatches);
    }

    private static int IndexOfMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }

    public void Dispose() => _handle.Dispose();
}
