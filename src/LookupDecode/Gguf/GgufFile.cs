namespace LookupDecode.Gguf;

/// <summary>
/// The header, metadata and tensor directory of a GGUF file, as read and checked by <see cref="GgufReader"/>.
/// Tensor data stays on disk; <see cref="DataOffset"/> says where it starts.
/// </summary>
public sealed class GgufFile
{
    internal GgufFile(
        string path,
        uint version,
        IReadOnlyList<KeyValuePair<string, GgufMetadataValue>> metadata,
        IReadOnlyList<GgufTensorInfo> tensors,
        int alignment,
        long dataOffset,
        long fileLength)
    {
        Path = path;
        Version = version;
        Metadata = metadata;
        Tensors = tensors;
        Alignment = alignment;
        DataOffset = dataOffset;
        FileLength = fileLength;
        _metadataByKey = metadata.ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
    }

    private readonly Dictionary<string, GgufMetadataValue> _metadataByKey;

    /// <summary>The file that was read.</summary>
    public string Path { get; }

    /// <summary>GGUF format version (2 or 3).</summary>
    public uint Version { get; }

    /// <summary>Metadata in file order.</summary>
    public IReadOnlyList<KeyValuePair<string, GgufMetadataValue>> Metadata { get; }

    /// <summary>Tensor directory in file order.</summary>
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }

    /// <summary>Alignment of tensor data in bytes (<c>general.alignment</c>, default 32).</summary>
    public int Alignment { get; }

    /// <summary>Absolute file offset of the tensor data section.</summary>
    public long DataOffset { get; }

    /// <summary>Length of the file in bytes when it was read.</summary>
    public long FileLength { get; }

    /// <summary>The model architecture (<c>general.architecture</c>), or <c>null</c>.</summary>
    public string? Architecture => GetString("general.architecture");

    /// <summary>Looks up a metadata value by key.</summary>
    public bool TryGetValue(string key, out GgufMetadataValue value)
        => _metadataByKey.TryGetValue(key, out value!);

    /// <summary>A string metadata value, or <c>null</c> when absent or not a string.</summary>
    public string? GetString(string key) => TryGetValue(key, out var value) ? value.AsString() : null;

    /// <summary>An integer metadata value of any width, or <c>null</c> when absent or not an integer.</summary>
    public long? GetInt64(string key) => TryGetValue(key, out var value) ? value.AsInt64() : null;
}
