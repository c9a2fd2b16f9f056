using LookupDecode.Gguf;

namespace LookupDecode.Synthesis;

/// <summary>The tensor names, shapes and metadata keys llama.cpp expects of a llama-architecture GGUF.</summary>
internal static class LlamaGgufLayout
{
    /// <summary>llama.cpp's <c>LLAMA_FTYPE_MOSTLY_F16</c>.</summary>
    public const uint FileTypeF16 = 1;

    /// <summary>llama.cpp's <c>LLAMA_FTYPE_ALL_F32</c>.</summary>
    public const uint FileTypeF32 = 0;

    public static void AddMetadata(GgufWriter writer, ModelShape shape, string name, uint fileType)
    {
        writer.AddMetadata("general.architecture", GgufMetadataValue.Of("llama"));
        writer.AddMetadata("general.name", GgufMetadataValue.Of(name));
        writer.AddMetadata("general.file_type", GgufMetadataValue.Of(fileType));
        writer.AddMetadata("llama.context_length", GgufMetadataValue.Of((uint)shape.ContextLength));
        writer.AddMetadata("llama.embedding_length", GgufMetadataValue.Of((uint)shape.EmbeddingSize));
        writer.AddMetadata("llama.block_count", GgufMetadataValue.Of((uint)shape.LayerCount));
        writer.AddMetadata("llama.feed_forward_length", GgufMetadataValue.Of((uint)shape.FeedForwardSize));
        writer.AddMetadata("llama.attention.head_count", GgufMetadataValue.Of((uint)shape.HeadCount));
        writer.AddMetadata("llama.attention.head_count_kv", GgufMetadataValue.Of((uint)shape.KvHeadCount));
        writer.AddMetadata("llama.rope.dimension_count", GgufMetadataValue.Of((uint)shape.HeadSize));
        writer.AddMetadata("llama.rope.freq_base", GgufMetadataValue.Of(shape.RopeFrequencyBase));
        writer.AddMetadata("llama.attention.layer_norm_rms_epsilon", GgufMetadataValue.Of(shape.RmsNormEpsilon));
        writer.AddMetadata("llama.vocab_size", GgufMetadataValue.Of((uint)shape.VocabularySize));
    }

    /// <summary>Every tensor of the shape, in llama.cpp's order: name, dimensions (innermost first), whether it is a norm vector.</summary>
    public static IEnumerable<(string Name, long[] Dimensions, bool IsNorm)> Tensors(ModelShape shape)
    {
        long embd = shape.EmbeddingSize, kv = shape.KvSize, ff = shape.FeedForwardSize, vocab = shape.VocabularySize;
        yield return ("token_embd.weight", [embd, vocab], false);
        yield return ("output_norm.weight", [embd], true);
        yield return ("output.weight", [embd, vocab], false);
        for (var layer = 0; layer < shape.LayerCount; layer++)
        {
            var prefix = $"blk.{layer}.";
            yield return (prefix + "attn_norm.weight", [embd], true);
            yield return (prefix + "attn_q.weight", [embd, embd], false);
            yield return (prefix + "attn_k.weight", [embd, kv], false);
            yield return (prefix + "attn_v.weight", [embd, kv], false);
            yield return (prefix + "attn_output.weight", [embd, embd], false);
            yield return (prefix + "ffn_norm.weight", [embd], true);
            yield return (prefix + "ffn_gate.weight", [embd, ff], false);
            yield return (prefix + "ffn_down.weight", [ff, embd], false);
            yield return (prefix + "ffn_up.weight", [embd, ff], false);
        }
    }
}
