namespace LookupDecode.Models.Gate;

/// <summary>What the gate knows about an architecture's shape rules.</summary>
internal static class Architectures
{
    /// <summary>
    /// Attention transformers whose tensors llama.cpp sizes from layer 0's hyperparameters while the KV cache and graph
    /// use each layer's: their per-layer counts must be uniform, every layer needs heads and KV heads, and every weight
    /// must be a float or quantized type.
    /// </summary>
    private static readonly HashSet<string> UniformTransformers = new(StringComparer.Ordinal)
    {
        "llama", "mistral3", "granite", "qwen2", "qwen3", "qwen2moe", "qwen3moe", "gemma", "gemma2", "gemma3", "phi3", "starcoder2", "stablelm", "olmo", "olmo2", "internlm2", "exaone", "minicpm", "command-r", "cohere2",
    };

    public static bool IsUniformTransformer(string architecture) => UniformTransformers.Contains(architecture);

    /// <summary>Architectures for which llama.cpp requires the rotary dimension to equal the head size.</summary>
    public static bool RequiresFullRope(string architecture) => architecture is "llama" or "deci" or "falcon";
}
