using System.Buffers.Binary;
using LookupDecode.Gguf;

namespace LookupDecode.Models.Gate;

/// <summary>
/// Looks for NaN and infinity in the weights, where llama.cpp would compute garbage (every token the same, exit 0).
/// Small tensors (norms, biases, rope factors, embeddings of small models) are read whole; larger ones are sampled:
/// their first and last blocks and evenly spaced windows. Float tensors are checked value by value, quantized ones
/// by the scales of their blocks (f16 fields at known offsets). Other types are left to the child-process check.
/// </summary>
internal static class WeightScan
{
    /// <summary>Tensors up to this size are read whole.</summary>
    private const int WholeBytes = 256 << 10;

    /// <summary>Bytes read at each end of a larger tensor.</summary>
    private const int EdgeBytes = 64 << 10;

    /// <summary>Evenly spaced windows read in between.</summary>
    private const int Windows = 8;

    private const int WindowBytes = 16 << 10;

    public static void Check(GgufFile file, Stream stream)
    {
        var buffer = new byte[Math.Max(WholeBytes, EdgeBytes)];
        foreach (var tensor in file.Tensors)
        {
            if (Layout(tensor.Type) is not { } layout)
            {
                continue;
            }

            foreach (var (start, length) in Ranges(tensor.ByteSize, layout.BlockBytes))
            {
                stream.Position = file.DataOffset + tensor.Offset + start;
                stream.ReadExactly(buffer, 0, (int)length);
                if (FirstNonFinite(buffer.AsSpan(0, (int)length), layout) is { } at)
                {
                    throw new GgufFormatException(file.Path, file.DataOffset + tensor.Offset + start + at,
                        $"tensor '{tensor.Name}' holds a NaN or infinite {(layout.IsFloat ? "weight" : "block scale")}; llama.cpp would compute garbage from it");
                }
            }
        }
    }

    /// <summary>Byte ranges to read, each a whole number of blocks.</summary>
    private static IEnumerable<(long Start, long Length)> Ranges(long size, int blockBytes)
    {
        if (size <= WholeBytes)
        {
            yield return (0, size);
            yield break;
        }

        long Blocks(long bytes) => bytes / blockBytes * blockBytes;
        var edge = Math.Max(Blocks(EdgeBytes), blockBytes);
        var window = Math.Max(Blocks(WindowBytes), blockBytes);
        yield return (0, edge);
        var blocks = size / blockBytes;
        for (var i = 1; i <= Windows; i++)
        {
            var start = blocks * i / (Windows + 1) * blockBytes;
            yield return (start, Math.Min(window, size - start));
        }

        yield return (Blocks(size - edge), Math.Min(edge, size - Blocks(size - edge)));
    }

    private static long? FirstNonFinite(ReadOnlySpan<byte> data, ScanLayout layout)
    {
        for (var block = 0; block + layout.BlockBytes <= data.Length; block += layout.BlockBytes)
        {
            foreach (var offset in layout.Fields)
            {
                var at = block + offset;
                var finite = layout.Field switch
                {
                    FieldType.F32 => float.IsFinite(BinaryPrimitives.ReadSingleLittleEndian(data[at..])),
                    FieldType.F16 => Half.IsFinite(BinaryPrimitives.ReadHalfLittleEndian(data[at..])),
                    _ => float.IsFinite(BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(data[at..]) << 16)),
                };
                if (!finite)
                {
                    return at;
                }
            }
        }

        return null;
    }

    private static ScanLayout? Layout(GgmlType type) => type switch
    {
        GgmlType.F32 => new(4, FieldType.F32, [0], IsFloat: true),
        GgmlType.F16 => new(2, FieldType.F16, [0], IsFloat: true),
        GgmlType.BF16 => new(2, FieldType.BF16, [0], IsFloat: true),
        GgmlType.Q4_0 or GgmlType.Q5_0 or GgmlType.Q8_0 or GgmlType.IQ4_NL => new(BlockBytes(type), FieldType.F16, [0], IsFloat: false),
        GgmlType.Q4_1 or GgmlType.Q5_1 or GgmlType.Q8_1 or GgmlType.Q4_K or GgmlType.Q5_K => new(BlockBytes(type), FieldType.F16, [0, 2], IsFloat: false),
        GgmlType.Q2_K => new(84, FieldType.F16, [80, 82], IsFloat: false),
        GgmlType.Q3_K => new(110, FieldType.F16, [108], IsFloat: false),
        GgmlType.Q6_K => new(210, FieldType.F16, [208], IsFloat: false),
        _ => null,
    };

    private static int BlockBytes(GgmlType type) => GgmlTypeInfo.TryGetLayout(type, out _, out var bytes) ? bytes : throw new InvalidOperationException($"no layout for {type}");

    private enum FieldType
    {
        F32,
        F16,
        BF16,
    }

    /// <summary>One block's size and where its float fields are.</summary>
    private sealed record ScanLayout(int BlockBytes, FieldType Field, int[] Fields, bool IsFloat);
}
