using LookupDecode.Gguf;
using static LookupDecode.Models.Gate.GateValues;

namespace LookupDecode.Models.Gate;

/// <summary>
/// Hyperparameter preconditions that llama.cpp asserts (aborting the process) instead of checking: layer and expert
/// limits, head relations the attention matmuls need, rotary dimensions the rope kernel needs, known rope scaling,
/// finite non-negative norm epsilons, and finite numbers everywhere a NaN would turn every logit into garbage.
/// </summary>
internal static class HyperparameterRules
{
    /// <summary>llama.cpp's <c>LLAMA_MAX_LAYERS</c>: per-layer arrays are fixed arrays of this size.</summary>
    public const int MaxLayers = 512;

    /// <summary>The smallest <c>LLAMA_MAX_EXPERTS</c> of the pinned llama.cpp's era (it asserts the expert count against it).</summary>
    public const int MaxExperts = 384;

    private static readonly string[] RopeScalingTypes = ["none", "linear", "yarn", "longrope"];

    public static void Check(GgufFile file, string architecture)
    {
        var layers = RequiredCount(file, $"{architecture}.block_count", 1, MaxLayers);
        var width = RequiredCount(file, $"{architecture}.embedding_length", 1, 1 << 20);
        RequiredCount(file, $"{architecture}.context_length", 1, 1 << 24);
        var transformer = Architectures.IsUniformTransformer(architecture);
        var heads = PerLayer(file, $"{architecture}.attention.head_count", layers, transformer ? 1 : 0, width);
        var kvHeads = PerLayer(file, $"{architecture}.attention.head_count_kv", layers, transformer ? 1 : 0, width) ?? heads;
        var feedForward = PerLayer(file, $"{architecture}.feed_forward_length", layers, 0, 1 << 24);
        if (transformer)
        {
            if (heads is null)
            {
                throw Refuse(file, $"the architecture needs '{architecture}.attention.head_count', which is missing");
            }

            RequireUniform(file, $"{architecture}.attention.head_count", heads);
            RequireUniform(file, $"{architecture}.attention.head_count_kv", kvHeads!);
            RequireUniform(file, $"{architecture}.feed_forward_length", feedForward);
        }

        CheckGroupedAttention(file, architecture, heads, kvHeads);
        CheckExperts(file, architecture);
        CheckRope(file, architecture, width, heads);
        OptionalReal(file, $"{architecture}.attention.layer_norm_rms_epsilon", 0, 1);
        OptionalReal(file, $"{architecture}.attention.layer_norm_epsilon", 0, 1);
        RequireFiniteNumbers(file, architecture);
    }

    private static void RequireUniform(GgufFile file, string key, long[]? values)
    {
        if (values is { Length: > 0 } && Array.FindIndex(values, value => value != values[0]) is var layer and > 0)
        {
            throw Refuse(file, $"'{key}' differs between layers (layer 0: {values[0]}, layer {layer}: {values[layer]}); llama.cpp sizes this architecture's tensors from layer 0, so the KV cache would not match");
        }
    }

    /// <summary>Grouped-query attention multiplies keys against queries: heads must be a multiple of KV heads in every layer.</summary>
    private static void CheckGroupedAttention(GgufFile file, string architecture, long[]? heads, long[]? kvHeads)
    {
        if (heads is null || kvHeads is null)
        {
            return;
        }

        for (var layer = 0; layer < heads.Length; layer++)
        {
            if (kvHeads[layer] > heads[layer] || (kvHeads[layer] > 0 && heads[layer] % kvHeads[layer] != 0) || (kvHeads[layer] == 0 && heads[layer] > 0 && Architectures.IsUniformTransformer(architecture)))
            {
                throw Refuse(file, $"layer {layer} has {heads[layer]} attention heads and {kvHeads[layer]} KV heads: '{architecture}.attention.head_count' must be a positive multiple of '{architecture}.attention.head_count_kv' (llama.cpp asserts this in the attention matmul)");
            }
        }
    }

    private static void CheckExperts(GgufFile file, string architecture)
    {
        var experts = OptionalCount(file, $"{architecture}.expert_count", 0, MaxExperts, 0);
        var used = OptionalCount(file, $"{architecture}.expert_used_count", 0, MaxExperts, 0);
        if (used > experts || (experts > 0) != (used > 0))
        {
            throw Refuse(file, $"'{architecture}.expert_used_count' ({used}) must be from 1 to '{architecture}.expert_count' ({experts}) when there are experts, and 0 when there are none");
        }
    }

    /// <summary>The rope kernel rotates pairs of dimensions of each head: an even count, no more than the head has.</summary>
    private static void CheckRope(GgufFile file, string architecture, long width, long[]? heads)
    {
        if (file.TryGetValue($"{architecture}.rope.scaling.type", out var scaling) && Array.IndexOf(RopeScalingTypes, scaling.AsString()) < 0)
        {
            throw Refuse(file, $"'{architecture}.rope.scaling.type' is {scaling.Type} {scaling}; llama.cpp knows only {string.Join(", ", RopeScalingTypes)} (and asserts on anything else)");
        }

        OptionalReal(file, $"{architecture}.rope.freq_base", 0, double.MaxValue, exclusiveMinimum: true);
        OptionalReal(file, $"{architecture}.rope.scaling.factor", 0, double.MaxValue);
        OptionalReal(file, $"{architecture}.rope.scaling.attn_factor", 0, double.MaxValue);
        if (heads is not { Length: > 0 } || heads[0] == 0)
        {
            return;
        }

        var headSize = OptionalCount(file, $"{architecture}.attention.key_length", 1, 1 << 16, width / heads[0]);
        if (headSize < 1)
        {
            throw Refuse(file, $"the head size (embedding width {width} / {heads[0]} heads) is 0");
        }

        var ropeDimensions = OptionalCount(file, $"{architecture}.rope.dimension_count", 0, 1 << 16, headSize);
        if (ropeDimensions % 2 != 0 || ropeDimensions > headSize)
        {
            throw Refuse(file, $"'{architecture}.rope.dimension_count' is {ropeDimensions}: the rope kernel needs an even count no larger than the head size {headSize}");
        }

        if (Architectures.RequiresFullRope(architecture) && ropeDimensions != headSize)
        {
            throw Refuse(file, $"'{architecture}.rope.dimension_count' is {ropeDimensions}; this architecture rotates whole heads ({headSize})");
        }
    }

    /// <summary>A NaN or infinite hyperparameter makes every logit NaN: refused wherever it appears.</summary>
    private static void RequireFiniteNumbers(GgufFile file, string architecture)
    {
        var prefix = architecture + ".";
        foreach (var (key, value) in file.Metadata)
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            if (value.Type is GgufValueType.Float32 or GgufValueType.Float64 && !double.IsFinite(value.AsDouble()!.Value))
            {
                throw Refuse(file, $"'{key}' is {value}: a non-finite hyperparameter makes every output garbage");
            }

            if (value.AsArray() is { ElementType: GgufValueType.Float32 or GgufValueType.Float64 } array)
            {
                foreach (var item in array.Items)
                {
                    if (!double.IsFinite(Convert.ToDouble(item, System.Globalization.CultureInfo.InvariantCulture)))
                    {
                        throw Refuse(file, $"'{key}' holds {item}: a non-finite hyperparameter makes every output garbage");
                    }
                }
            }
        }
    }
}
