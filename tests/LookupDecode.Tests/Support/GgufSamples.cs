using LookupDecode.Gguf;

namespace LookupDecode.Tests.Support;

/// <summary>Small GGUF files for gate tests: a well-formed llama model directory that each test breaks in one way.</summary>
internal static class GgufSamples
{
    public static GgufWriter Llama(Action<Dictionary<string, GgufMetadataValue>>? edit = null, int vocabulary = 8, Action<GgufWriter>? tensors = null)
    {
        var metadata = new Dictionary<string, GgufMetadataValue>(StringComparer.Ordinal)
        {
            ["general.architecture"] = GgufMetadataValue.Of("llama"),
            ["llama.context_length"] = GgufMetadataValue.Of(64u),
            ["llama.embedding_length"] = GgufMetadataValue.Of(32u),
            ["llama.block_count"] = GgufMetadataValue.Of(2u),
            ["llama.attention.head_count"] = GgufMetadataValue.Of(4u),
            ["tokenizer.ggml.model"] = GgufMetadataValue.Of("llama"),
            ["tokenizer.ggml.tokens"] = GgufMetadataValue.Of(new GgufArray(GgufValueType.String, Enumerable.Range(0, vocabulary).Select(i => $"t{i}").ToArray())),
            ["tokenizer.ggml.scores"] = GgufMetadataValue.Of(new GgufArray(GgufValueType.Float32, new float[vocabulary])),
            ["tokenizer.ggml.token_type"] = GgufMetadataValue.Of(new GgufArray(GgufValueType.Int32, Enumerable.Repeat(1, vocabulary).ToArray())),
        };
        edit?.Invoke(metadata);
        var writer = new GgufWriter();
        foreach (var (key, value) in metadata)
        {
            writer.AddMetadata(key, value);
        }

        if (tensors is not null)
        {
            tensors(writer);
            return writer;
        }

        return writer.AddTensor("token_embd.weight", [32, vocabulary], new float[32 * vocabulary]);
    }

    /// <summary>
    /// A file every managed rule accepts (the generic rules apply to an architecture they do not know) and llama.cpp
    /// refuses cleanly: its architecture does not exist.
    /// </summary>
    public static GgufWriter UnknownArchitecture() => new GgufWriter()
        .AddMetadata("general.architecture", GgufMetadataValue.Of("no-such-architecture"))
        .AddMetadata("no-such-architecture.context_length", GgufMetadataValue.Of(64u))
        .AddMetadata("no-such-architecture.embedding_length", GgufMetadataValue.Of(4u))
        .AddMetadata("no-such-architecture.block_count", GgufMetadataValue.Of(1u))
        .AddMetadata("tokenizer.ggml.model", GgufMetadataValue.Of("llama"))
        .AddMetadata("tokenizer.ggml.tokens", GgufMetadataValue.Of(new GgufArray(GgufValueType.String, new[] { "<unk>", "<s>", "</s>", "a" })))
        .AddTensor("token_embd.weight", [4, 4], new float[16]);
}
