using LookupDecode.Files;
using System.Buffers.Binary;
using System.Text;

namespace LookupDecode.Gguf;

/// <summary>
/// Writes GGUF version 3 files: header, metadata, tensor directory, then each tensor's data aligned to
/// <see cref="Alignment"/>. Tensor data is produced by callbacks while writing, so files far larger than memory
/// can be written. The file appears under its final name only when complete (written to a temporary file
/// in the same directory, then renamed).
/// </summary>
public sealed class GgufWriter
{
    private readonly List<KeyValuePair<string, GgufMetadataValue>> _metadata = [];
    private readonly List<PendingTensor> _tensors = [];
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    /// <summary>Creates a writer whose tensor data is aligned to <paramref name="alignment"/> bytes (a power of two).</summary>
    public GgufWriter(int alignment = GgufReader.DefaultAlignment)
    {
        if (alignment <= 0 || !int.IsPow2(alignment))
        {
            throw new ArgumentOutOfRangeException(nameof(alignment), alignment, "must be a positive power of two");
        }

        Alignment = alignment;
        if (alignment != GgufReader.DefaultAlignment)
        {
            AddMetadata("general.alignment", GgufMetadataValue.Of((uint)alignment));
        }
    }

    /// <summary>Alignment of tensor data in bytes.</summary>
    public int Alignment { get; }

    /// <summary>Tensors added so far.</summary>
    public int TensorCount => _tensors.Count;

    /// <summary>Adds a metadata entry; keys must be unique.</summary>
    public GgufWriter AddMetadata(string key, GgufMetadataValue value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        if (!_keys.Add(key))
        {
            throw new ArgumentException($"metadata key '{key}' was already added", nameof(key));
        }

        _metadata.Add(new(key, value));
        return this;
    }

    /// <summary>
    /// Adds a tensor whose <paramref name="byteSize"/> bytes of data <paramref name="writeData"/> will write
    /// (exactly that many) when the file is written. <paramref name="dimensions"/> are innermost first.
    /// </summary>
    public GgufWriter AddTensor(string name, long[] dimensions, GgmlType type, long byteSize, Action<Stream> writeData)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(dimensions);
        ArgumentNullException.ThrowIfNull(writeData);
        if (Encoding.UTF8.GetByteCount(name) > GgufReader.MaxTensorNameBytes)
        {
            throw new ArgumentException($"tensor name '{name}' is longer than {GgufReader.MaxTensorNameBytes} bytes", nameof(name));
        }

        if (!_names.Add(name))
        {
            throw new ArgumentException($"tensor '{name}' was already added", nameof(name));
        }

        if (dimensions.Length is 0 or > GgufReader.MaxDimensions || dimensions.Any(extent => extent < 0))
        {
            throw new ArgumentException($"tensor '{name}' needs 1 to {GgufReader.MaxDimensions} non-negative dimensions", nameof(dimensions));
        }

        _tensors.Add(new PendingTensor(name, (long[])dimensions.Clone(), type, byteSize, writeData));
        return this;
    }

    /// <summary>Adds a tensor from bytes already in memory.</summary>
    public GgufWriter AddTensor(string name, long[] dimensions, GgmlType type, ReadOnlyMemory<byte> data)
        => AddTensor(name, dimensions, type, data.Length, stream => stream.Write(data.Span));

    /// <summary>Adds an F32 tensor from floats in memory.</summary>
    public GgufWriter AddTensor(string name, long[] dimensions, ReadOnlyMemory<float> data)
        => AddTensor(name, dimensions, GgmlType.F32, (long)data.Length * sizeof(float), stream =>
        {
            var bytes = new byte[data.Length * sizeof(float)];
            for (var i = 0; i < data.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), data.Span[i]);
            }

            stream.Write(bytes);
        });

    /// <summary>
    /// Writes the file. <paramref name="progress"/> receives the fraction of tensors written. The target is
    /// replaced only after the whole file is written.
    /// </summary>
    public void WriteTo(string path, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        SafeFiles.WriteAtomically(path, "model", stream =>
        {
            var buffered = new BufferedStream(stream, 1 << 20);
            Write(buffered, progress, cancellationToken);
            buffered.Flush();
        }, createDirectory: true);
    }

    private void Write(Stream stream, IProgress<double>? progress, CancellationToken cancellationToken)
    {
        var header = new MemoryStream();
        WriteUInt32(header, GgufReader.Magic);
        WriteUInt32(header, 3);
        WriteUInt64(header, (ulong)_tensors.Count);
        WriteUInt64(header, (ulong)_metadata.Count);
        foreach (var (key, value) in _metadata)
        {
            WriteString(header, key);
            WriteUInt32(header, (uint)value.Type);
            WriteValue(header, value.Type, value.Value);
        }

        long offset = 0;
        var offsets = new long[_tensors.Count];
        for (var i = 0; i < _tensors.Count; i++)
        {
            var tensor = _tensors[i];
            WriteString(header, tensor.Name);
            WriteUInt32(header, (uint)tensor.Dimensions.Length);
            foreach (var extent in tensor.Dimensions)
            {
                WriteUInt64(header, (ulong)extent);
            }

            WriteUInt32(header, (uint)tensor.Type);
            WriteUInt64(header, (ulong)offset);
            offsets[i] = offset;
            offset = GgufReader.AlignUp(offset + tensor.ByteSize, Alignment);
        }

        header.Position = 0;
        header.CopyTo(stream);
        Pad(stream, GgufReader.AlignUp(stream.Position, Alignment) - stream.Position);
        var dataStart = stream.Position;
        for (var i = 0; i < _tensors.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var tensor = _tensors[i];
            Pad(stream, dataStart + offsets[i] - stream.Position);
            var before = stream.Position;
            tensor.WriteData(stream);
            if (stream.Position - before != tensor.ByteSize)
            {
                throw new InvalidOperationException($"tensor '{tensor.Name}' wrote {stream.Position - before} bytes, declared {tensor.ByteSize}");
            }

            progress?.Report((i + 1) / (double)_tensors.Count);
        }
    }

    private static void Pad(Stream stream, long count)
    {
        for (long i = 0; i < count; i++)
        {
            stream.WriteByte(0);
        }
    }

    private static void WriteValue(Stream stream, GgufValueType type, object value)
    {
        switch (type)
        {
            case GgufValueType.UInt8: stream.WriteByte((byte)value); break;
            case GgufValueType.Int8: stream.WriteByte(unchecked((byte)(sbyte)value)); break;
            case GgufValueType.UInt16: WriteUInt16(stream, (ushort)value); break;
            case GgufValueType.Int16: WriteUInt16(stream, unchecked((ushort)(short)value)); break;
            case GgufValueType.UInt32: WriteUInt32(stream, (uint)value); break;
            case GgufValueType.Int32: WriteUInt32(stream, unchecked((uint)(int)value)); break;
            case GgufValueType.Float32: WriteUInt32(stream, BitConverter.SingleToUInt32Bits((float)value)); break;
            case GgufValueType.Bool: stream.WriteByte((bool)value ? (byte)1 : (byte)0); break;
            case GgufValueType.String: WriteString(stream, (string)value); break;
            case GgufValueType.UInt64: WriteUInt64(stream, (ulong)value); break;
            case GgufValueType.Int64: WriteUInt64(stream, unchecked((ulong)(long)value)); break;
            case GgufValueType.Float64: WriteUInt64(stream, BitConverter.DoubleToUInt64Bits((double)value)); break;
            case GgufValueType.Array:
                var array = (GgufArray)value;
                WriteUInt32(stream, (uint)array.ElementType);
                WriteUInt64(stream, (ulong)array.Length);
                foreach (var item in array.Items)
                {
                    WriteValue(stream, array.ElementType, item);
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "unknown GGUF value type");
        }
    }

    private static void WriteString(Stream stream, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        WriteUInt64(stream, (ulong)bytes.Length);
        stream.Write(bytes);
    }

    private static void WriteUInt16(Stream stream, ushort value)
    {
        Span<byte> buffer = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(buffer, value);
        stream.Write(buffer);
    }

    private static void WriteUInt32(Stream stream, uint value)
    {
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, value);
        stream.Write(buffer);
    }

    private static void WriteUInt64(Stream stream, ulong value)
    {
        Span<byte> buffer = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(buffer, value);
        stream.Write(buffer);
    }

    private sealed record PendingTensor(string Name, long[] Dimensions, GgmlType Type, long ByteSize, Action<Stream> WriteData);
}
