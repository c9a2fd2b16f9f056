using System.Runtime.InteropServices;
using LookupDecode.Gguf;

namespace LookupDecode.Synthesis;

/// <summary>
/// Writes a llama-architecture GGUF of a given <see cref="ModelShape"/> with random weights and a valid tokenizer,
/// for benchmarks that need the cost of a real model class without downloading one. Its text is meaningless: the
/// weights are noise (uniform, standard deviation 0.02; norms 1). Deterministic for a given seed.
/// </summary>
public static class SyntheticModelWriter
{
    private const int BlockElements = 1 << 20;
    private const float Spread = 0.0346f; // uniform on [-a, a] has standard deviation a / sqrt(3) = 0.02

    /// <summary>Writes the model to <paramref name="path"/> as F16, or F16 then quantized to Q8_0/Q4_0 by llama.cpp.</summary>
    public static void Write(string path, ModelShape shape, GgmlType type, ulong seed = 42, IProgress<ModelWriteProgress>? progress = null, CancellationToken cancellationToken = default)
        => Write(path, shape, type, seed, vocabularyFrom: null, progress, cancellationToken);

    /// <summary>
    /// As above; with <paramref name="vocabularyFrom"/>, the tokenizer (every <c>tokenizer.*</c> entry) is copied from that
    /// GGUF and the vocabulary size follows it: a random model a real model can draft for (or verify), token for token
    /// the same vocabulary.
    /// </summary>
    public static void Write(string path, ModelShape shape, GgmlType type, ulong seed, string? vocabularyFrom, IProgress<ModelWriteProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(shape);
        GgufFile? vocabularySource = null;
        if (vocabularyFrom is not null)
        {
            vocabularySource = LookupDecode.Models.ModelFileCheck.Check(vocabularyFrom);
            LookupDecode.Files.SafeFiles.RequireDistinct(path, "output model", vocabularyFrom);
            var tokens = vocabularySource.TryGetValue("tokenizer.ggml.tokens", out var list) && list.AsArray() is { } array
                ? array.Length
                : throw new LookupDecode.Models.InvalidOptionException("--vocabulary-from", $"'{vocabularyFrom}' has no tokenizer.ggml.tokens");
            shape = shape with { VocabularySize = tokens };
        }

        shape.Validate();
        QuantizedOutput.Write(path, type, (target, writing) =>
        {
            var writer = new GgufWriter();
            LlamaGgufLayout.AddMetadata(writer, shape, $"LookupDecode synthetic {shape.Name} (random weights)", LlamaGgufLayout.FileTypeF16);
            if (vocabularySource is null)
            {
                SyntheticVocabulary.AddTo(writer, shape.VocabularySize);
            }
            else
            {
                foreach (var (key, value) in vocabularySource.Metadata)
                {
                    if (key.StartsWith("tokenizer.", StringComparison.Ordinal))
                    {
                        writer.AddMetadata(key, value);
                    }
                }
            }
            var index = 0;
            foreach (var (name, dimensions, isNorm) in LlamaGgufLayout.Tensors(shape))
            {
                var tensorSeed = seed * 1_000_003UL + (ulong)index++;
                var elements = dimensions.Aggregate(1L, (product, extent) => product * extent);
                if (isNorm)
                {
                    writer.AddTensor(name, dimensions, Enumerable.Repeat(1f, (int)elements).ToArray());
                }
                else
                {
                    writer.AddTensor(name, dimensions, GgmlType.F16, elements * 2, stream => WriteRandomHalves(stream, elements, tensorSeed, cancellationToken));
                }
            }

            writer.WriteTo(target, writing, cancellationToken);
        }, progress);
    }

    /// <summary>Random halves in blocks generated in parallel, each block from its own seed (so the result does not depend on threading).</summary>
    private static void WriteRandomHalves(Stream stream, long elements, ulong seed, CancellationToken cancellationToken)
    {
        const int blocksPerChunk = 8;
        var buffer = new Half[BlockElements * blocksPerChunk];
        for (long done = 0; done < elements;)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var chunk = (int)Math.Min(buffer.Length, elements - done);
            var firstBlock = done / BlockElements;
            var blocks = (chunk + BlockElements - 1) / BlockElements;
            Parallel.For(0, blocks, block =>
            {
                var random = new SplitMix64(seed ^ ((ulong)(firstBlock + block) * 0x9E3779B97F4A7C15UL));
                var span = buffer.AsSpan(block * BlockElements, Math.Min(BlockElements, chunk - (block * BlockElements)));
                for (var i = 0; i < span.Length; i++)
                {
                    span[i] = (Half)(((float)random.NextUnit() * 2f - 1f) * Spread);
                }
            });
            stream.Write(MemoryMarshal.AsBytes(buffer.AsSpan(0, chunk)));
            done += chunk;
        }
    }

    /// <summary>SplitMix64: a tiny, fast, well-mixed generator.</summary>
    private struct SplitMix64(ulong state)
    {
        private ulong _state = state;

        public double NextUnit()
        {
            var z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (z >> 11) * (1.0 / (1UL << 53));
        }
    }
}
