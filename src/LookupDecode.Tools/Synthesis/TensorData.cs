using System.Buffers.Binary;
using System.Runtime.InteropServices;
using LookupDecode.Gguf;

namespace LookupDecode.Synthesis;

/// <summary>Reads a tensor's data from a GGUF file as floats (F32, F16 and Q8_0), and writes floats as F32 or F16.</summary>
internal static class TensorData
{
    public static float[] ReadFloats(GgufFile file, GgufTensorInfo tensor)
    {
        var count = checked((int)tensor.ElementCount);
        var bytes = new byte[tensor.ByteSize];
        using (var stream = new FileStream(file.Path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            stream.Seek(file.DataOffset + tensor.Offset, SeekOrigin.Begin);
            stream.ReadExactly(bytes);
        }

        var values = new float[count];
        switch (tensor.Type)
        {
            case GgmlType.F32:
                MemoryMarshal.Cast<byte, float>(bytes).CopyTo(values);
                break;
            case GgmlType.F16:
                var halves = MemoryMarshal.Cast<byte, Half>(bytes);
                for (var i = 0; i < count; i++)
                {
                    values[i] = (float)halves[i];
                }

                break;
            case GgmlType.Q8_0:
                for (var block = 0; block < count / 32; block++)
                {
                    var scale = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes.AsSpan(block * 34));
                    for (var j = 0; j < 32; j++)
                    {
                        values[(block * 32) + j] = scale * (sbyte)bytes[(block * 34) + 2 + j];
                    }
                }

                break;
            default:
                throw new Models.InvalidOptionException("--from", $"tensor '{tensor.Name}' is {tensor.Type}; inflation reads F32, F16 and Q8_0 models");
        }

        return values;
    }

    public static void Write(Stream stream, float[] values, GgmlType type)
    {
        if (type == GgmlType.F32)
        {
            stream.Write(MemoryMarshal.AsBytes(values.AsSpan()));
            return;
        }

        const int chunk = 1 << 20;
        var halves = new Half[Math.Min(chunk, values.Length)];
        for (var start = 0; start < values.Length; start += chunk)
        {
            var length = Math.Min(chunk, values.Length - start);
            for (var i = 0; i < length; i++)
            {
                halves[i] = (Half)values[start + i];
            }

            stream.Write(MemoryMarshal.AsBytes(halves.AsSpan(0, length)));
        }
    }
}
