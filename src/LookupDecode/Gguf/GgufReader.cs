namespace LookupDecode.Gguf;

/// <summary>
/// Reads and checks the header, metadata and tensor directory of a GGUF file in managed code, trusting no
/// count, length or offset in it. Every rule it enforces is one llama.cpp's own reader relies on; a file
/// that breaks one is refused with a <see cref="GgufFormatException"/> (file, byte offset, rule) before any
/// native code could read it. Tensor data is not read, so this is cheap even for multi-gigabyte models.
/// </summary>
public static class GgufReader
{
    /// <summary>The four bytes every GGUF file starts with ("GGUF").</summary>
    public const uint Magic = 0x46554747;

    /// <summary>Alignment of tensor data when <c>general.alignment</c> is absent.</summary>
    public const int DefaultAlignment = 32;

    /// <summary>Longest metadata key the GGUF specification allows.</summary>
    public const int MaxKeyBytes = 65535;

    /// <summary>Longest tensor name ggml accepts (<c>GGML_MAX_NAME</c> - 1).</summary>
    public const int MaxTensorNameBytes = 63;

    /// <summary>Most dimensions a ggml tensor has (<c>GGML_MAX_DIMS</c>).</summary>
    public const int MaxDimensions = 4;

    private const int HeaderBytes = 24;

    /// <summary>Reads <paramref name="path"/>; throws <see cref="GgufFormatException"/> on the first broken rule.</summary>
    /// <exception cref="GgufFormatException">The file is not well-formed GGUF.</exception>
    /// <exception cref="IOException">The file cannot be opened or read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be opened for reading.</exception>
    public static GgufFile Read(string path)
    {
        var stream = Files.SafeFiles.OpenRead(path, "GGUF file");
        using var reader = new BoundedBinaryReader(path, stream);
        return Read(path, reader);
    }

    /// <summary>Reads GGUF from a seekable <paramref name="stream"/> (left open); <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="GgufFormatException">The data is not well-formed GGUF.</exception>
    public static GgufFile Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek)
        {
            throw new ArgumentException("the stream must be seekable (its length bounds every read)", nameof(stream));
        }

        using var reader = new BoundedBinaryReader(name, new NonClosingStream(stream));
        return Read(name, reader);
    }

    private static GgufFile Read(string path, BoundedBinaryReader reader)
    {
        if (reader.Length < HeaderBytes)
        {
            throw reader.Error(0, reader.Length == 0
                ? "the file is empty"
                : $"the file is {reader.Length} bytes, shorter than the {HeaderBytes}-byte GGUF header");
        }

        if (reader.ReadUInt32("the magic") != Magic)
        {
            throw reader.Error(0, "the file does not start with the GGUF magic bytes 'GGUF'");
        }

        var version = reader.ReadUInt32("the version");
        if (version is not (2 or 3))
        {
            throw reader.Error(4, $"GGUF version {version} is not supported (only 2 and 3 are)");
        }

        var tensorCountOffset = reader.Position;
        var tensorCount = reader.ReadUInt64("the tensor count");
        var metadataCountOffset = reader.Position;
        var metadataCount = reader.ReadUInt64("the metadata count");

        // Each metadata entry needs at least a key length, a type and one value byte; each tensor info at
        // least a name length, a dimension count, one dimension, a type and an offset.
        CheckCount(reader, metadataCountOffset, metadataCount, minimumBytesEach: 8 + 4 + 1, "metadata entries");
        CheckCount(reader, tensorCountOffset, tensorCount, minimumBytesEach: 8 + 4 + 8 + 4 + 8, "tensors");

        var metadata = new List<KeyValuePair<string, GgufMetadataValue>>((int)metadataCount);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (ulong i = 0; i < metadataCount; i++)
        {
            var keyOffset = reader.Position;
            var key = reader.ReadString($"metadata key #{i}", MaxKeyBytes, strictUtf8: true);
            if (key.Length == 0)
            {
                throw reader.Error(keyOffset, $"metadata key #{i} is empty");
            }

            if (!keys.Add(key))
            {
                throw reader.Error(keyOffset, $"metadata key '{key}' appears twice");
            }

            var value = ReadValue(reader, key);
            metadata.Add(new(key, value));
        }

        var alignment = ReadAlignment(reader, metadata);
        var tensors = ReadTensorInfos(reader, (int)tensorCount, alignment);
        var dataOffset = AlignUp(reader.Position, alignment);
        CheckTensorData(reader, tensors, dataOffset);
        return new GgufFile(path, version, metadata, tensors, alignment, dataOffset, reader.Length);
    }

    private static void CheckCount(BoundedBinaryReader reader, long offset, ulong count, int minimumBytesEach, string what)
    {
        if (count > (ulong)(reader.Remaining / minimumBytesEach) || count > int.MaxValue)
        {
            throw reader.Error(offset, $"the header claims {count} {what}, more than the {reader.Length}-byte file can hold");
        }
    }

    private static GgufMetadataValue ReadValue(BoundedBinaryReader reader, string key)
    {
        var typeOffset = reader.Position;
        var type = (GgufValueType)reader.ReadUInt32($"the type of '{key}'");
        if (type == GgufValueType.Array)
        {
            return new GgufMetadataValue(type, ReadArray(reader, key));
        }

        if (!Enum.IsDefined(type))
        {
            throw reader.Error(typeOffset, $"metadata '{key}' has unknown value type {(uint)type}");
        }

        return new GgufMetadataValue(type, ReadScalar(reader, type, key));
    }

    private static object ReadScalar(BoundedBinaryReader reader, GgufValueType type, string what)
    {
        var offset = reader.Position;
        return type switch
        {
            GgufValueType.UInt8 => reader.ReadByte(what),
            GgufValueType.Int8 => (sbyte)reader.ReadByte(what),
            GgufValueType.UInt16 => reader.ReadUInt16(what),
            GgufValueType.Int16 => (short)reader.ReadUInt16(what),
            GgufValueType.UInt32 => reader.ReadUInt32(what),
            GgufValueType.Int32 => (int)reader.ReadUInt32(what),
            GgufValueType.Float32 => reader.ReadSingle(what),
            GgufValueType.UInt64 => reader.ReadUInt64(what),
            GgufValueType.Int64 => (long)reader.ReadUInt64(what),
            GgufValueType.Float64 => reader.ReadDouble(what),
            GgufValueType.Bool => reader.ReadByte(what) switch
            {
                0 => false,
                1 => true,
                var other => throw reader.Error(offset, $"'{what}' is a bool stored as {other}, not 0 or 1"),
            },
            GgufValueType.String => reader.ReadString(what, reader.Remaining, strictUtf8: false),
            _ => throw reader.Error(offset, $"'{what}' has unknown value type {(uint)type}"),
        };
    }

    private static GgufArray ReadArray(BoundedBinaryReader reader, string key)
    {
        var elementTypeOffset = reader.Position;
        var elementType = (GgufValueType)reader.ReadUInt32($"the element type of '{key}'");
        if (elementType == GgufValueType.Array)
        {
            throw reader.Error(elementTypeOffset, $"metadata '{key}' is an array of arrays, which llama.cpp does not read");
        }

        if (!Enum.IsDefined(elementType))
        {
            throw reader.Error(elementTypeOffset, $"metadata '{key}' is an array of unknown value type {(uint)elementType}");
        }

        var countOffset = reader.Position;
        var count = reader.ReadUInt64($"the length of array '{key}'");
        var minimumBytes = MinimumBytes(elementType);
        if (count > (ulong)(reader.Remaining / minimumBytes) || count > int.MaxValue)
        {
            throw reader.Error(countOffset, $"array '{key}' claims {count} elements, more than the rest of the file can hold");
        }

        var length = (int)count;
        Array items = elementType switch
        {
            GgufValueType.UInt8 => new byte[length],
            GgufValueType.Int8 => new sbyte[length],
            GgufValueType.UInt16 => new ushort[length],
            GgufValueType.Int16 => new short[length],
            GgufValueType.UInt32 => new uint[length],
            GgufValueType.Int32 => new int[length],
            GgufValueType.Float32 => new float[length],
            GgufValueType.Bool => new bool[length],
            GgufValueType.String => new string[length],
            GgufValueType.UInt64 => new ulong[length],
            GgufValueType.Int64 => new long[length],
            _ => new double[length],
        };

        for (var i = 0; i < length; i++)
        {
            items.SetValue(ReadScalar(reader, elementType, key), i);
        }

        return new GgufArray(elementType, items);
    }

    private static int MinimumBytes(GgufValueType type) => type switch
    {
        GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
        GgufValueType.UInt16 or GgufValueType.Int16 => 2,
        GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
        _ => 8,
    };

    private static int ReadAlignment(BoundedBinaryReader reader, List<KeyValuePair<string, GgufMetadataValue>> metadata)
    {
        foreach (var (key, value) in metadata)
        {
            if (key != "general.alignment")
            {
                continue;
            }

            if (value.Type != GgufValueType.UInt32 || (uint)value.Value is 0 or > 1u << 30 || !uint.IsPow2((uint)value.Value))
            {
                throw reader.Error(reader.Position, $"general.alignment must be a power-of-two uint32, not {value.Type} {value}");
            }

            return (int)(uint)value.Value;
        }

        return DefaultAlignment;
    }

    private static List<GgufTensorInfo> ReadTensorInfos(BoundedBinaryReader reader, int tensorCount, int alignment)
    {
        var tensors = new List<GgufTensorInfo>(tensorCount);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < tensorCount; i++)
        {
            var infoOffset = reader.Position;
            var name = reader.ReadString($"the name of tensor #{i}", MaxTensorNameBytes, strictUtf8: true);
            if (!names.Add(name))
            {
                throw reader.Error(infoOffset, $"tensor name '{name}' appears twice");
            }

            var dimensionsOffset = reader.Position;
            var dimensionCount = reader.ReadUInt32($"the dimension count of '{name}'");
            if (dimensionCount is 0 or > MaxDimensions)
            {
                throw reader.Error(dimensionsOffset, $"tensor '{name}' has {dimensionCount} dimensions (1 to {MaxDimensions} allowed)");
            }

            var dimensions = new long[dimensionCount];
            long elementCount = 1;
            for (var d = 0; d < dimensionCount; d++)
            {
                var extent = reader.ReadUInt64($"dimension {d} of '{name}'");
                if (extent > long.MaxValue || (extent > 0 && elementCount > long.MaxValue / (long)extent))
                {
                    throw reader.Error(dimensionsOffset, $"tensor '{name}' has dimensions whose element count overflows 64 bits");
                }

                dimensions[d] = (long)extent;
                elementCount *= (long)extent;
            }

            var typeOffset = reader.Position;
            var type = (GgmlType)reader.ReadUInt32($"the type of '{name}'");
            if (!GgmlTypeInfo.TryGetLayout(type, out var blockSize, out var bytesPerBlock))
            {
                throw reader.Error(typeOffset, $"tensor '{name}' has unknown or unsupported ggml type {(uint)type}");
            }

            if (dimensions[0] % blockSize != 0)
            {
                throw reader.Error(dimensionsOffset, $"tensor '{name}' has a row of {dimensions[0]} elements, not a multiple of {type}'s block of {blockSize}");
            }

            var blocks = elementCount / blockSize;
            if (blocks > long.MaxValue / bytesPerBlock)
            {
                throw reader.Error(dimensionsOffset, $"tensor '{name}' is larger than 2^63 bytes");
            }

            var dataOffsetOffset = reader.Position;
            var offset = reader.ReadUInt64($"the data offset of '{name}'");
            if (offset > long.MaxValue || offset % (ulong)alignment != 0)
            {
                throw reader.Error(dataOffsetOffset, $"tensor '{name}' data offset {offset} is not a multiple of the alignment {alignment}");
            }

            tensors.Add(new GgufTensorInfo(name, dimensions, type, (long)offset, blocks * bytesPerBlock));
        }

        return tensors;
    }

    private static void CheckTensorData(BoundedBinaryReader reader, List<GgufTensorInfo> tensors, long dataOffset)
    {
        if (tensors.Count == 0)
        {
            return;
        }

        var byOffset = tensors.OrderBy(tensor => tensor.Offset).ToArray();
        long previousEnd = 0;
        string? previousName = null;
        foreach (var tensor in byOffset)
        {
            if (tensor.Offset < previousEnd)
            {
                throw reader.Error(dataOffset + tensor.Offset, $"tensor '{tensor.Name}' overlaps the data of tensor '{previousName}'");
            }

            var end = tensor.Offset + tensor.ByteSize;
            if (end < tensor.Offset || dataOffset + end > reader.Length || dataOffset + end < 0)
            {
                throw reader.Error(dataOffset + tensor.Offset,
                    $"tensor '{tensor.Name}' needs bytes up to offset {dataOffset + end}, but the file ends at {reader.Length} (truncated?)");
            }

            previousEnd = end;
            previousName = tensor.Name;
        }
    }

    /// <summary><paramref name="value"/> rounded up to a multiple of <paramref name="alignment"/> (GGUF aligns tensor data so).</summary>
    public static long AlignUp(long value, int alignment) => (value + alignment - 1) / alignment * alignment;
}
