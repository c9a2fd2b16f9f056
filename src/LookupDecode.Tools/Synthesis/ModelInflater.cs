using LookupDecode.Gguf;
using LookupDecode.Models;

namespace LookupDecode.Synthesis;

/// <summary>
/// Writes a model with a big class's tensor shapes that computes a small llama model's function (up to floating-point
/// summation order): real text, real n-gram statistics and real acceptance at the real cost of a 1B or 7B model, with
/// nothing downloaded. Every real weight sits inside the bigger tensor and every other weight is zero, so the residual
/// stream's extra dimensions stay exactly zero; layers beyond the small model's are dead (zero output projections);
/// RMSNorm's epsilon and weights are rescaled for the wider stream; heads keep their KV head and their RoPE
/// frequencies (see <see cref="InflationPlan"/>); queries are rescaled for the wider heads.
/// </summary>
public static class ModelInflater
{
    /// <summary>Inflates <paramref name="sourcePath"/> (F32, F16 or Q8_0 llama GGUF) to <paramref name="target"/>'s shape.</summary>
    /// <param name="sourcePath">The small model.</param>
    /// <param name="outputPath">The file to write.</param>
    /// <param name="target">The big shape; its vocabulary size, context length and RoPE base are taken from the small model.</param>
    /// <param name="type">F32, F16, or Q8_0/Q4_0 (written as F16, then quantized by llama.cpp).</param>
    /// <param name="progress">Receives the stage and the fraction done.</param>
    /// <param name="cancellationToken">Stops writing; nothing is left at <paramref name="outputPath"/>.</param>
    public static ModelShape Inflate(string sourcePath, string outputPath, ModelShape target, GgmlType type,
        IProgress<ModelWriteProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        var source = ModelFileCheck.Check(sourcePath);
        LookupDecode.Files.SafeFiles.RequireDistinct(outputPath, "output model", sourcePath);
        var plan = InflationPlan.Create(source, target);
        var tensors = source.Tensors.ToDictionary(tensor => tensor.Name, StringComparer.Ordinal);
        float[] Read(string name) => TensorData.ReadFloats(source, tensors[name]);
        float[]? ReadOptional(string name) => tensors.ContainsKey(name) ? Read(name) : null;

        QuantizedOutput.Write(outputPath, type, (path, writing) =>
        {
            var elementType = type == GgmlType.F32 ? GgmlType.F32 : GgmlType.F16;
            var writer = new GgufWriter();
            LlamaGgufLayout.AddMetadata(writer, plan.Big, $"{plan.Small.Name} inflated to {target.Name}",
                elementType == GgmlType.F32 ? LlamaGgufLayout.FileTypeF32 : LlamaGgufLayout.FileTypeF16);
            foreach (var (key, value) in source.Metadata)
            {
                if (!key.StartsWith("llama.", StringComparison.Ordinal) && key is not ("general.architecture" or "general.name" or "general.file_type" or "general.alignment"))
                {
                    writer.AddMetadata(key, value);
                }
            }

            foreach (var (name, dimensions, isNorm) in LlamaGgufLayout.Tensors(plan.Big))
            {
                var tensorType = isNorm ? GgmlType.F32 : elementType;
                var elements = dimensions.Aggregate(1L, (product, extent) => product * extent);
                var bytes = elements * (tensorType == GgmlType.F32 ? 4 : 2);
                writer.AddTensor(name, dimensions, tensorType, bytes, stream =>
                    TensorData.Write(stream, Build(plan, name, Read, ReadOptional), tensorType));
            }

            writer.WriteTo(path, writing, cancellationToken);
        }, progress);
        return plan.Big;
    }

    /// <summary>The big tensor <paramref name="name"/>, all zeros but for the small model's weights in their places.</summary>
    private static float[] Build(InflationPlan plan, string name, Func<string, float[]> read, Func<string, float[]?> readOptional)
    {
        var small = plan.Small;
        var big = plan.Big;
        int eb = big.EmbeddingSize, es = small.EmbeddingSize;
        switch (name)
        {
            case "token_embd.weight":
                return Rows(read(name), es, small.VocabularySize, eb);
            case "output.weight":
                return Rows(readOptional(name) ?? read("token_embd.weight"), es, small.VocabularySize, eb);
            case "output_norm.weight":
                return Norm(plan, read(name));
        }

        var parts = name.Split('.');
        var layer = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        var kind = parts[2];
        if (layer >= small.LayerCount)
        {
            return new float[Size(plan, kind)];
        }

        var weights = read(name);
        var result = new float[Size(plan, kind)];
        switch (kind)
        {
            case "attn_norm":
            case "ffn_norm":
                return Norm(plan, weights);
            case "attn_q":
                PlaceHeadRows(plan, weights, result, small.HeadCount, plan.HeadSlot, plan.QueryScale);
                return result;
            case "attn_k":
            case "attn_v":
                PlaceHeadRows(plan, weights, result, small.KvHeadCount, kvHead => kvHead, 1f);
                return result;
            case "attn_output":
                // Input = concatenated heads, output = residual: column (head, dim) moves, row r stays.
                for (var r = 0; r < es; r++)
                {
                    for (var head = 0; head < small.HeadCount; head++)
                    {
                        for (var c = 0; c < small.HeadSize; c++)
                        {
                            var column = (plan.HeadSlot(head) * big.HeadSize) + plan.DimensionInHead(c);
                            result[((long)r * big.HeadCount * big.HeadSize) + column] = weights[(r * small.HeadCount * small.HeadSize) + (head * small.HeadSize) + c];
                        }
                    }
                }

                return result;
            case "ffn_gate":
            case "ffn_up":
                // Input = residual, output = hidden unit f: rows stay, each row widens.
                for (var f = 0; f < small.FeedForwardSize; f++)
                {
                    Array.Copy(weights, f * es, result, (long)f * eb, es);
                }

                return result;
            case "ffn_down":
                for (var r = 0; r < es; r++)
                {
                    Array.Copy(weights, r * small.FeedForwardSize, result, (long)r * big.FeedForwardSize, small.FeedForwardSize);
                }

                return result;
            default:
                throw new InvalidOperationException($"unexpected tensor '{name}'");
        }
    }

    /// <summary>Q, K or V: row (head, dim) of the small projection goes to row (slot(head), place(dim)) of the big one.</summary>
    private static void PlaceHeadRows(InflationPlan plan, float[] weights, float[] result, int heads, Func<int, int> slot, float scale)
    {
        int es = plan.Small.EmbeddingSize, eb = plan.Big.EmbeddingSize, d = plan.Small.HeadSize, bigD = plan.Big.HeadSize;
        for (var head = 0; head < heads; head++)
        {
            for (var c = 0; c < d; c++)
            {
                var source = ((head * d) + c) * es;
                var target = (long)((slot(head) * bigD) + plan.DimensionInHead(c)) * eb;
                for (var r = 0; r < es; r++)
                {
                    result[target + r] = weights[source + r] * scale;
                }
            }
        }
    }

    private static float[] Rows(float[] weights, int width, int rows, int bigWidth)
    {
        var result = new float[(long)rows * bigWidth];
        for (var row = 0; row < rows; row++)
        {
            Array.Copy(weights, row * width, result, (long)row * bigWidth, width);
        }

        return result;
    }

    private static float[] Norm(InflationPlan plan, float[] weights)
    {
        var result = new float[plan.Big.EmbeddingSize];
        for (var r = 0; r < weights.Length; r++)
        {
            result[r] = weights[r] * plan.NormScale;
        }

        return result;
    }

    private static long Size(InflationPlan plan, string kind)
    {
        long eb = plan.Big.EmbeddingSize, kv = plan.Big.KvSize, ff = plan.Big.FeedForwardSize;
        return kind switch
        {
            "attn_norm" or "ffn_norm" => eb,
            "attn_q" or "attn_output" => eb * eb,
            "attn_k" or "attn_v" => eb * kv,
            _ => eb * ff,
        };
    }
}
