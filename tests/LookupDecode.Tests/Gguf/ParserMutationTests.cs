using CsCheck;
using LookupDecode.Gguf;
using LookupDecode.Models;
using LookupDecode.Ngrams;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Gguf;

/// <summary>
/// Random mutations of real files — truncation, bit flips, spliced chunks, huge counts — give a typed format error or a
/// valid result; never another exception, never a hang (the suite's time bounds the latter).
/// </summary>
public sealed class ParserMutationTests
{
    private static readonly Lazy<byte[]> ModelHead = new(() =>
        File.ReadAllBytes(TestPaths.Model(TestModelNames.FileOf(TestModelNames.TinyStories656K))));

    private static readonly Lazy<byte[]> CacheFile = new(() =>
        File.ReadAllBytes(TestPaths.Fixture("upstream", "stories260K.tiny-dog.dynamic.lcd.bin")));

    [ModelFact]
    public void Mutated_models_give_a_format_error_or_a_valid_directory()
    {
        Mutations(ModelHead.Value).Sample(bytes =>
        {
            try
            {
                var file = GgufReader.Read(new MemoryStream(bytes), "mutant");
                ModelFileCheck.CheckModel(file);
                Assert.All(file.Tensors, tensor => Assert.True(file.DataOffset + tensor.Offset + tensor.ByteSize <= bytes.Length));
            }
            catch (GgufFormatException)
            {
            }
        }, iter: 400);
    }

    [ModelFact]
    public void Mutated_lookup_caches_give_a_format_error_or_a_cache_that_round_trips()
    {
        Mutations(CacheFile.Value).Sample(bytes =>
        {
            try
            {
                var cache = NgramCache.Load(new MemoryStream(bytes), "mutant");
                Assert.All(cache.Keys, key => Assert.True(key.IsWellFormed));
            }
            catch (LookupCacheFormatException)
            {
            }
        }, iter: 600);
    }

    /// <summary>Truncations, flips of 1–8 bytes, a chunk copied elsewhere, and 64-bit fields overwritten with huge values.</summary>
    private static Gen<byte[]> Mutations(byte[] original)
    {
        var length = original.Length;
        var truncate = Gen.Int[0, length].Select(cut => original[..cut]);
        var flip = Gen.Select(Gen.Int[0, length - 1].Array[1, 8], Gen.Byte.Array[8]).Select((positions, values) =>
        {
            var copy = (byte[])original.Clone();
            for (var i = 0; i < positions.Length; i++)
            {
                copy[positions[i]] = values[i];
            }

            return copy;
        });
        var splice = Gen.Select(Gen.Int[0, length - 1], Gen.Int[0, length - 1], Gen.Int[1, 4096]).Select((from, to, size) =>
        {
            var copy = (byte[])original.Clone();
            var count = Math.Min(size, Math.Min(length - from, length - to));
            Array.Copy(original, from, copy, to, count);
            return copy;
        });
        var huge = Gen.Select(Gen.Int[0, Math.Max(0, length - 8)], Gen.OneOf(ulong.MaxValue, 1UL << 62, 1UL << 40, (ulong)int.MaxValue + 1, 0xFFFFFFFFUL))
            .Select((at, value) =>
            {
                var copy = (byte[])original.Clone();
                BitConverter.TryWriteBytes(copy.AsSpan(at, 8), value);
                return copy;
            });
        return Gen.OneOf(truncate, flip, splice, huge);
    }
}
