using LookupDecode.Gguf;

namespace LookupDecode.Tests.Support;

/// <summary>Copies a real GGUF file with its metadata or tensor bytes edited: hostile files that are otherwise real models.</summary>
internal static class GgufRewrite
{
    public static void Copy(string source, string destination, Action<Dictionary<string, GgufMetadataValue>>? editMetadata = null,
        Func<GgufTensorInfo, byte[], byte[]>? editTensor = null, Func<GgufTensorInfo, long[]>? editDimensions = null)
    {
        var file = GgufReader.Read(source);
        var metadata = file.Metadata.ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
        editMetadata?.Invoke(metadata);
        var writer = new GgufWriter(file.Alignment);
        foreach (var (key, value) in metadata)
        {
            if (key != "general.alignment")
            {
                writer.AddMetadata(key, value);
            }
        }

        using var input = File.OpenRead(source);
        foreach (var tensor in file.Tensors)
        {
            var bytes = new byte[tensor.ByteSize];
            input.Position = file.DataOffset + tensor.Offset;
            input.ReadExactly(bytes);
            if (editTensor is not null)
            {
                bytes = editTensor(tensor, bytes);
            }

            writer.AddTensor(tensor.Name, editDimensions?.Invoke(tensor) ?? tensor.Dimensions, tensor.Type, bytes);
        }

        writer.WriteTo(destination);
    }
}
