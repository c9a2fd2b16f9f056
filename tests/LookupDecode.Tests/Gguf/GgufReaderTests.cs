using LookupDecode.Gguf;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Gguf;

public sealed class GgufReaderTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> SharedModels => new(TestModelNames.All);

    [ModelTheory, MemberData(nameof(SharedModels))]
    public void Every_shared_model_is_accepted(string model)
    {
        var file = GgufReader.Read(TestPaths.Model(TestModelNames.FileOf(model)));

        Assert.Equal("llama", file.Architecture);
        Assert.NotEmpty(file.Tensors);
        Assert.True(file.DataOffset % file.Alignment == 0);
        Assert.All(file.Tensors, tensor => Assert.True(file.DataOffset + tensor.Offset + tensor.ByteSize <= file.FileLength));
    }

    [Fact]
    public void Empty_file_is_refused_at_offset_zero()
    {
        var path = _temp.File("empty.gguf");
        File.WriteAllBytes(path, []);

        var error = Assert.Throws<GgufFormatException>(() => GgufReader.Read(path));

        Assert.Equal(0, error.Offset);
        Assert.Contains("empty", error.Rule, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_file_is_refused_for_its_magic()
    {
        var path = _temp.File("notes.gguf");
        File.WriteAllText(path, "This is a text file, not a model. It is long enough to hold a header.");

        var error = Assert.Throws<GgufFormatException>(() => GgufReader.Read(path));

        Assert.Equal(0, error.Offset);
        Assert.Contains("magic", error.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void Unsupported_version_is_refused()
    {
        var path = _temp.File("v9.gguf");
        File.WriteAllBytes(path, [.. "GGUF"u8, 9, 0, 0, 0, .. new byte[16]]);

        var error = Assert.Throws<GgufFormatException>(() => GgufReader.Read(path));

        Assert.Equal(4, error.Offset);
        Assert.Contains("version 9", error.Rule, StringComparison.Ordinal);
    }

    [ModelTheory, MemberData(nameof(SharedModels))]
    public void Truncated_copy_of_a_real_model_is_refused(string model)
    {
        var original = File.ReadAllBytes(TestPaths.Model(TestModelNames.FileOf(model)));
        var path = _temp.File("truncated.gguf");
        File.WriteAllBytes(path, original.AsSpan(0, original.Length / 2).ToArray());

        var error = Assert.Throws<GgufFormatException>(() => GgufReader.Read(path));

        Assert.Contains("truncated", error.Rule, StringComparison.Ordinal);
    }

    [ModelFact]
    public void Copy_cut_inside_the_metadata_is_refused_with_the_offset_where_it_ends()
    {
        var modelPath = TestPaths.Model(TestModelNames.FileOf(TestModelNames.Stories260K));
        var cut = (int)(GgufReader.Read(modelPath).DataOffset / 2);
        var path = _temp.File("cut.gguf");
        File.WriteAllBytes(path, File.ReadAllBytes(modelPath).AsSpan(0, cut).ToArray());

        var error = Assert.Throws<GgufFormatException>(() => GgufReader.Read(path));

        Assert.InRange(error.Offset, 24, cut);
        Assert.Matches("file ends inside|more than the rest of the file can hold", error.Rule);
    }

    [Fact]
    public void Written_file_reads_back_with_the_same_metadata_and_tensors()
    {
        var path = _temp.File("written.gguf");
        new GgufWriter()
            .AddMetadata("general.architecture", GgufMetadataValue.Of("llama"))
            .AddMetadata("test.count", GgufMetadataValue.Of(7u))
            .AddMetadata("test.names", GgufMetadataValue.Of(new GgufArray(GgufValueType.String, new[] { "a", "bb", "ccc" })))
            .AddTensor("weights", [3, 2], new float[] { 1, 2, 3, 4, 5, 6 })
            .AddTensor("bias", [5], new float[] { 1, 2, 3, 4, 5 })
            .WriteTo(path);

        var file = GgufReader.Read(path);

        Assert.Equal(3u, file.Version);
        Assert.Equal("llama", file.Architecture);
        Assert.Equal(7, file.GetInt64("test.count"));
        Assert.Equal(new[] { "a", "bb", "ccc" }, (string[])file.Metadata[2].Value.AsArray()!.Items);
        Assert.Equal(["weights", "bias"], file.Tensors.Select(tensor => tensor.Name));
        Assert.Equal(24, file.Tensors[0].ByteSize);
        Assert.Equal(0, file.Tensors[1].Offset % file.Alignment);
    }

    [Fact]
    public void Huge_metadata_count_is_refused_without_allocating()
    {
        var path = _temp.File("huge-count.gguf");
        File.WriteAllBytes(path, [.. "GGUF"u8, 3, 0, 0, 0, .. BitConverter.GetBytes(0UL), .. BitConverter.GetBytes(ulong.MaxValue / 2)]);

        var error = Assert.Throws<GgufFormatException>(() => GgufReader.Read(path));

        Assert.Equal(16, error.Offset);
        Assert.Contains("metadata entries", error.Rule, StringComparison.Ordinal);
    }
}
