using System.Buffers.Binary;
using System.Text;
using LookupDecode.Gguf;
using LookupDecode.Models;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Models;

/// <summary>One test per rule of the managed gate: each breaks one thing in an otherwise valid file.</summary>
public sealed class ModelFileCheckTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_well_formed_model_directory_passes()
    {
        var path = Write(GgufSamples.Llama());

        var file = ModelFileCheck.Check(path);

        Assert.Equal("llama", file.Architecture);
    }

    [Theory]
    [InlineData("llama.block_count")]
    [InlineData("llama.embedding_length")]
    [InlineData("llama.context_length")]
    public void Missing_architecture_key_is_refused(string key)
    {
        var path = Write(GgufSamples.Llama(metadata => metadata.Remove(key)));

        var error = Assert.Throws<GgufFormatException>(() => ModelFileCheck.Check(path));

        Assert.Contains(key, error.Rule, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("llama.block_count", 0u)]
    [InlineData("llama.embedding_length", 1u << 24)]
    [InlineData("llama.context_length", 0u)]
    public void Absurd_hyperparameter_is_refused(string key, uint value)
    {
        var path = Write(GgufSamples.Llama(metadata => metadata[key] = GgufMetadataValue.Of(value)));

        var error = Assert.Throws<GgufFormatException>(() => ModelFileCheck.Check(path));

        Assert.Contains(key, error.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void Hyperparameter_of_the_wrong_type_is_refused()
    {
        var path = Write(GgufSamples.Llama(metadata => metadata["llama.block_count"] = GgufMetadataValue.Of("two")));

        Assert.Throws<GgufFormatException>(() => ModelFileCheck.Check(path));
    }

    [Fact]
    public void Head_count_array_must_have_one_entry_per_layer()
    {
        var path = Write(GgufSamples.Llama(metadata =>
            metadata["llama.attention.head_count"] = GgufMetadataValue.Of(new GgufArray(GgufValueType.Int32, new[] { 4, 4, 4 }))));

        var error = Assert.Throws<GgufFormatException>(() => ModelFileCheck.Check(path));

        Assert.Contains("one integer per layer", error.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void Head_count_wider_than_the_embedding_is_refused()
    {
        var path = Write(GgufSamples.Llama(metadata => metadata["llama.attention.head_count"] = GgufMetadataValue.Of(1000u)));

        Assert.Throws<GgufFormatException>(() => ModelFileCheck.Check(path));
    }

    [Theory]
    [InlineData("tokenizer.ggml.scores")]
    [InlineData("tokenizer.ggml.token_type")]
    public void Tokenizer_array_shorter_than_the_vocabulary_is_refused(string key)
    {
        var path = Write(GgufSamples.Llama(metadata => metadata[key] = key.EndsWith("scores", StringComparison.Ordinal)
            ? GgufMetadataValue.Of(new GgufArray(GgufValueType.Float32, new float[3]))
            : GgufMetadataValue.Of(new GgufArray(GgufValueType.Int32, new int[3]))));

        var error = Assert.Throws<GgufFormatException>(() => ModelFileCheck.Check(path));

        Assert.Contains("one per token", error.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void Tokenizer_without_tokens_is_refused()
    {
        var path = Write(GgufSamples.Llama(metadata => metadata.Remove("tokenizer.ggml.tokens")));

        var error = Assert.Throws<GgufFormatException>(() => ModelFileCheck.Check(path));

        Assert.Contains("tokenizer.ggml.tokens", error.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void Merges_that_are_not_strings_are_refused()
    {
        var path = Write(GgufSamples.Llama(metadata => metadata["tokenizer.ggml.merges"] = GgufMetadataValue.Of(new GgufArray(GgufValueType.Int32, new[] { 1 }))));

        Assert.Throws<GgufFormatException>(() => ModelFileCheck.Check(path));
    }

    // Rules of the GGUF format itself (GgufReader), each on bytes patched after writing.

    [Fact]
    public void Duplicate_metadata_key_is_refused()
    {
        var bytes = File.ReadAllBytes(Write(GgufSamples.Llama(metadata => metadata["general.architecturX"] = GgufMetadataValue.Of("x"))));
        Replace(bytes, "general.architecturX", "general.architecture");

        var error = Assert.Throws<GgufFormatException>(() => GgufReader.Read(Write(bytes)));

        Assert.Contains("appears twice", error.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_tensor_name_is_refused()
    {
        var writer = GgufSamples.Llama().AddTensor("token_embd.weighX", [32], new float[32]);
        var bytes = File.ReadAllBytes(Write(writer));
        Replace(bytes, "token_embd.weighX", "token_embd.weight");

        var error = Assert.Throws<GgufFormatException>(() => GgufReader.Read(Write(bytes)));

        Assert.Contains("appears twice", error.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_value_type_is_refused()
    {
        var bytes = File.ReadAllBytes(Write(GgufSamples.Llama()));
        var typeOffset = IndexOf(bytes, "general.architecture") + "general.architecture".Length;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(typeOffset), 99);

        var error = Assert.Throws<GgufFormatException>(() => GgufReader.Read(Write(bytes)));

        Assert.Equal(typeOffset, error.Offset);
        Assert.Contains("unknown value type 99", error.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_tensor_type_is_refused()
    {
        var path = Write(new GgufWriter().AddMetadata("general.architecture", GgufMetadataValue.Of("llama")).AddTensor("x", [32], (GgmlType)77, 128, s => s.Write(new byte[128])));

        var error = Assert.Throws<GgufFormatException>(() => GgufReader.Read(path));

        Assert.Contains("unsupported ggml type 77", error.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void Tensor_with_too_many_dimensions_is_refused()
    {
        var bytes = File.ReadAllBytes(Write(GgufSamples.Llama()));
        var dimensionCount = IndexOf(bytes, "token_embd.weight") + "token_embd.weight".Length;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(dimensionCount), 9);

        var error = Assert.Throws<GgufFormatException>(() => GgufReader.Read(Write(bytes)));

        Assert.Contains("9 dimensions", error.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void Tensor_whose_element_count_overflows_is_refused()
    {
        var bytes = File.ReadAllBytes(Write(GgufSamples.Llama()));
        var dimensions = IndexOf(bytes, "token_embd.weight") + "token_embd.weight".Length + 4;
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(dimensions), 1UL << 40);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(dimensions + 8), 1UL << 40);

        var error = Assert.Throws<GgufFormatException>(() => GgufReader.Read(Write(bytes)));

        Assert.Contains("overflows", error.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void Row_not_a_multiple_of_the_block_size_is_refused()
    {
        var path = Write(new GgufWriter().AddMetadata("general.architecture", GgufMetadataValue.Of("llama")).AddTensor("q", [48], GgmlType.Q4_0, 27, s => s.Write(new byte[27])));

        var error = Assert.Throws<GgufFormatException>(() => GgufReader.Read(path));

        Assert.Contains("not a multiple", error.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void Misaligned_data_offset_is_refused()
    {
        var bytes = File.ReadAllBytes(Write(GgufSamples.Llama().AddTensor("second", [32], new float[32])));
        var offsetField = IndexOf(bytes, "second") + "second".Length + 4 + 8 + 4;
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(offsetField), BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(offsetField)) + 4);

        var error = Assert.Throws<GgufFormatException>(() => GgufReader.Read(Write(bytes)));

        Assert.Contains("not a multiple of the alignment", error.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void Overlapping_tensor_data_is_refused()
    {
        var bytes = File.ReadAllBytes(Write(GgufSamples.Llama().AddTensor("second", [32], new float[32])));
        var offsetField = IndexOf(bytes, "second") + "second".Length + 4 + 8 + 4;
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(offsetField), 0);

        var error = Assert.Throws<GgufFormatException>(() => GgufReader.Read(Write(bytes)));

        Assert.Contains("overlaps", error.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void Alignment_that_is_not_a_power_of_two_is_refused()
    {
        var path = Write(GgufSamples.Llama(metadata => metadata["general.alignment"] = GgufMetadataValue.Of(24u)));

        var error = Assert.Throws<GgufFormatException>(() => GgufReader.Read(path));

        Assert.Contains("general.alignment", error.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void Bool_stored_as_another_byte_is_refused()
    {
        var bytes = File.ReadAllBytes(Write(GgufSamples.Llama(metadata => metadata["zz.flag"] = GgufMetadataValue.Of(true))));
        var value = IndexOf(bytes, "zz.flag") + "zz.flag".Length + 4;
        bytes[value] = 7;

        var error = Assert.Throws<GgufFormatException>(() => GgufReader.Read(Write(bytes)));

        Assert.Contains("bool stored as 7", error.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void String_length_past_the_end_of_the_file_is_refused()
    {
        var bytes = File.ReadAllBytes(Write(GgufSamples.Llama()));
        var length = IndexOf(bytes, "general.architecture") + "general.architecture".Length + 4;
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(length), ulong.MaxValue / 4);

        var error = Assert.Throws<GgufFormatException>(() => GgufReader.Read(Write(bytes)));

        Assert.Equal(length, error.Offset);
    }

    [Fact]
    public void Array_count_past_the_end_of_the_file_is_refused()
    {
        var bytes = File.ReadAllBytes(Write(GgufSamples.Llama()));
        var count = IndexOf(bytes, "tokenizer.ggml.scores") + "tokenizer.ggml.scores".Length + 4 + 4;
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(count), 1UL << 50);

        var error = Assert.Throws<GgufFormatException>(() => GgufReader.Read(Write(bytes)));

        Assert.Equal(count, error.Offset);
        Assert.Contains("claims", error.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void Nested_array_is_refused()
    {
        var bytes = File.ReadAllBytes(Write(GgufSamples.Llama()));
        var elementType = IndexOf(bytes, "tokenizer.ggml.scores") + "tokenizer.ggml.scores".Length + 4;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(elementType), (uint)GgufValueType.Array);

        var error = Assert.Throws<GgufFormatException>(() => GgufReader.Read(Write(bytes)));

        Assert.Contains("array of arrays", error.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void Key_that_is_not_utf8_is_refused()
    {
        var bytes = File.ReadAllBytes(Write(GgufSamples.Llama()));
        bytes[IndexOf(bytes, "llama.context_length")] = 0xFF;

        var error = Assert.Throws<GgufFormatException>(() => GgufReader.Read(Write(bytes)));

        Assert.Contains("UTF-8", error.Rule, StringComparison.Ordinal);
    }

    private string Write(GgufWriter writer)
    {
        var path = _temp.File($"{Guid.NewGuid():N}.gguf");
        writer.WriteTo(path);
        return path;
    }

    private string Write(byte[] bytes)
    {
        var path = _temp.File($"{Guid.NewGuid():N}.gguf");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static int IndexOf(byte[] bytes, string text) => bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text));

    private static void Replace(byte[] bytes, string from, string to)
    {
        var fromBytes = Encoding.UTF8.GetBytes(from);
        var toBytes = Encoding.UTF8.GetBytes(to);
        toBytes.CopyTo(bytes.AsSpan(IndexOf(bytes, from), fromBytes.Length));
    }
}
