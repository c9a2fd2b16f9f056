using LookupDecode.Gguf;

namespace LookupDecode.Fuzz;

/// <summary>Small, valid GGUF files (a few kilobytes) as fuzzing seeds: AFL mutates small inputs far faster than models.</summary>
internal static class Seeds
{
    public static void Write(string directory)
    {
        Directory.CreateDirectory(directory);
        Model(vocabulary: 8, layers: 1).WriteTo(Path.Combine(directory, "tiny-llama.gguf"));
        Model(vocabulary: 16, layers: 2, alignment: 64).WriteTo(Path.Combine(directory, "aligned-64.gguf"));
        new GgufWriter()
            .AddMetadata("general.architecture", GgufMetadataValue.Of("llama"))
            .AddMetadata("general.values", GgufMetadataValue.Of(new GgufArray(GgufValueType.Int32, new[] { 1, -2, 3 })))
            .AddTensor("x", [32], new float[32])
            .WriteTo(Path.Combine(directory, "minimal.gguf"));
    }

    private static GgufWriter Model(int vocabulary, int layers, int alignment = GgufReader.DefaultAlignment)
    {
        const int width = 32;
        var writer = new GgufWriter(alignment)
            .AddMetadata("general.architecture", GgufMetadataValue.Of("llama"))
            .AddMetadata("llama.context_length", GgufMetadataValue.Of(64u))
            .AddMetadata("llama.embedding_length", GgufMetadataValue.Of((uint)width))
            .AddMetadata("llama.block_count", GgufMetadataValue.Of((uint)layers))
            .AddMetadata("llama.attention.head_count", GgufMetadataValue.Of(4u))
            .AddMetadata("tokenizer.ggml.model", GgufMetadataValue.Of("llama"))
            .AddMetadata("tokenizer.ggml.tokens", GgufMetadataValue.Of(new GgufArray(GgufValueType.String, Enumerable.Range(0, vocabulary).Select(i => $"t{i}").ToArray())))
            .AddMetadata("tokenizer.ggml.scores", GgufMetadataValue.Of(new GgufArray(GgufValueType.Float32, new float[vocabulary])))
            .AddMetadata("tokenizer.ggml.token_type", GgufMetadataValue.Of(new GgufArray(GgufValueType.Int32, Enumerable.Repeat(1, vocabulary).ToArray())));
        writer.AddTensor("token_embd.weight", [width, vocabulary], new float[width * vocabulary]);
        for (var layer = 0; layer < layers; layer++)
        {
            writer.AddTensor($"blk.{layer}.attn_norm.weight", [width], new float[width]);
        }

        return writer;
    }
}
