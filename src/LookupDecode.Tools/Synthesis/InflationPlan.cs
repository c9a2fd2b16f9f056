using LookupDecode.Gguf;
using LookupDecode.Models;

namespace LookupDecode.Synthesis;

/// <summary>
/// Where every weight of a small llama model goes inside a bigger shape so that the big model computes the small
/// one's function (see <see cref="ModelInflater"/>): residual dimension r stays r; small head i goes to big head slot
/// (i / g)·G + i mod g (g, G query heads per KV head) so it keeps its KV head; within a head of width D = m·d, small
/// dimension c goes to (c / 2)·2m + c mod 2, i.e. rotary pair j becomes pair j·m, whose RoPE frequency is the same.
/// </summary>
internal sealed record InflationPlan(ModelShape Small, ModelShape Big, int HeadScale)
{
    public static InflationPlan Create(GgufFile source, ModelShape target)
    {
        if (source.Architecture != "llama")
        {
            throw new InvalidOptionException("--from", $"inflation needs a llama-architecture model, not '{source.Architecture}'");
        }

        int Key(string name, int? fallback = null)
            => (int?)source.GetInt64($"llama.{name}") ?? fallback ?? throw new InvalidOptionException("--from", $"the model lacks 'llama.{name}'");

        var embedding = Key("embedding_length");
        var heads = Key("attention.head_count");
        var embeddings = source.Tensors.FirstOrDefault(tensor => tensor.Name == "token_embd.weight")
                         ?? throw new InvalidOptionException("--from", "the model has no token_embd.weight");
        if (embeddings.Dimensions is not [var width, var vocabulary] || width != embedding || vocabulary is < 1 or > int.MaxValue)
        {
            throw new InvalidOptionException("--from",
                $"token_embd.weight is [{string.Join(", ", embeddings.Dimensions)}]; a model {embedding} wide needs [{embedding}, vocabulary size]");
        }

        var small = new ModelShape
        {
            Name = Path.GetFileNameWithoutExtension(source.Path),
            EmbeddingSize = embedding,
            LayerCount = Key("block_count"),
            HeadCount = heads,
            KvHeadCount = Key("attention.head_count_kv", heads),
            FeedForwardSize = Key("feed_forward_length"),
            VocabularySize = (int)vocabulary,
            ContextLength = Key("context_length", 2048),
            RopeFrequencyBase = (float)(source.TryGetValue("llama.rope.freq_base", out var freq) ? freq.AsDouble() ?? 10000 : 10000),
            RmsNormEpsilon = (float)(source.TryGetValue("llama.attention.layer_norm_rms_epsilon", out var eps) ? eps.AsDouble() ?? 1e-5 : 1e-5),
        };
        if (source.GetInt64("llama.rope.dimension_count") is { } rotary && rotary != small.HeadSize)
        {
            throw new InvalidOptionException("--from", $"RoPE covers {rotary} of {small.HeadSize} head dimensions; inflation needs full-head RoPE");
        }

        var ratio = (double)small.EmbeddingSize / target.EmbeddingSize;
        var big = target with
        {
            VocabularySize = small.VocabularySize,
            ContextLength = small.ContextLength,
            RopeFrequencyBase = small.RopeFrequencyBase,
            RmsNormEpsilon = (float)(small.RmsNormEpsilon * ratio),
        };
        Check(big.HeadSize % small.HeadSize == 0, "--heads", $"the big head width {big.HeadSize} must be a multiple of the small one ({small.HeadSize})");
        Check(big.EmbeddingSize >= small.EmbeddingSize, "--embd", $"must be at least the small model's {small.EmbeddingSize}");
        Check(big.KvHeadCount >= small.KvHeadCount, "--kv-heads", $"must be at least the small model's {small.KvHeadCount}");
        Check(big.HeadCount / big.KvHeadCount >= small.HeadCount / small.KvHeadCount, "--heads",
            $"each KV head must serve at least {small.HeadCount / small.KvHeadCount} query heads, as in the small model");
        Check(big.FeedForwardSize >= small.FeedForwardSize, "--ff", $"must be at least the small model's {small.FeedForwardSize}");
        Check(big.LayerCount >= small.LayerCount, "--layers", $"must be at least the small model's {small.LayerCount}");
        big.Validate();
        RequireTensors(source, small);
        return new InflationPlan(small, big, big.HeadSize / small.HeadSize);
    }

    /// <summary>Norm weights are scaled by sqrt(small width / big width): RMS over the wider stream is that much smaller.</summary>
    public float NormScale => (float)Math.Sqrt((double)Small.EmbeddingSize / Big.EmbeddingSize);

    /// <summary>Queries are scaled by sqrt(m) to undo the change of llama.cpp's 1/sqrt(head width).</summary>
    public float QueryScale => (float)Math.Sqrt(HeadScale);

    public int HeadSlot(int smallHead)
    {
        var smallGroup = Small.HeadCount / Small.KvHeadCount;
        var bigGroup = Big.HeadCount / Big.KvHeadCount;
        return (smallHead / smallGroup * bigGroup) + (smallHead % smallGroup);
    }

    public int DimensionInHead(int smallDimension) => (smallDimension / 2 * 2 * HeadScale) + (smallDimension % 2);

    /// <summary>Every tensor inflation reads must be there, in a type it reads, with the small shape's extents.</summary>
    private static void RequireTensors(GgufFile source, ModelShape small)
    {
        var tensors = source.Tensors.ToDictionary(tensor => tensor.Name, StringComparer.Ordinal);
        long width = small.EmbeddingSize, vocabulary = small.VocabularySize, feedForward = small.FeedForwardSize;
        long queries = (long)small.HeadCount * small.HeadSize, keys = (long)small.KvHeadCount * small.HeadSize;
        var required = new List<(string Name, long[] Dimensions)> { ("token_embd.weight", [width, vocabulary]), ("output_norm.weight", [width]) };
        for (var layer = 0; layer < small.LayerCount; layer++)
        {
            required.Add(($"blk.{layer}.attn_norm.weight", [width]));
            required.Add(($"blk.{layer}.attn_q.weight", [width, queries]));
            required.Add(($"blk.{layer}.attn_k.weight", [width, keys]));
            required.Add(($"blk.{layer}.attn_v.weight", [width, keys]));
            required.Add(($"blk.{layer}.attn_output.weight", [queries, width]));
            required.Add(($"blk.{layer}.ffn_norm.weight", [width]));
            required.Add(($"blk.{layer}.ffn_gate.weight", [width, feedForward]));
            required.Add(($"blk.{layer}.ffn_up.weight", [width, feedForward]));
            required.Add(($"blk.{layer}.ffn_down.weight", [feedForward, width]));
        }

        if (tensors.ContainsKey("output.weight"))
        {
            required.Add(("output.weight", [width, vocabulary]));
        }

        foreach (var (name, dimensions) in required)
        {
            if (!tensors.TryGetValue(name, out var tensor))
            {
                throw new InvalidOptionException("--from", $"the model has no tensor '{name}'");
            }

            if (!tensor.Dimensions.SequenceEqual(dimensions))
            {
                throw new InvalidOptionException("--from", $"tensor '{name}' is [{string.Join(", ", tensor.Dimensions)}], not [{string.Join(", ", dimensions)}] as the model's hyperparameters say");
            }

            if (tensor.Type is not (GgmlType.F32 or GgmlType.F16 or GgmlType.Q8_0))
            {
                throw new InvalidOptionException("--from", $"tensor '{name}' is {tensor.Type}; inflation reads F32, F16 and Q8_0 models");
            }
        }
    }

    private static void Check(bool condition, string option, string problem)
    {
        if (!condition)
        {
            throw new InvalidOptionException(option, problem);
        }
    }
}
