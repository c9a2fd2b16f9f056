using System.Runtime.InteropServices;
using LookupDecode.Files;
using LookupDecode.Gguf;
using LookupDecode.Models;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Models;

/// <summary>
/// The second line of defence: llama.cpp loads and decodes an untrusted file in a child process first. Files here pass
/// (or skip) the managed rules and still kill llama.cpp or make it compute garbage; the caller must get a typed error.
/// </summary>
public sealed class ChildCheckTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Store => _temp.File("model-checks");

    private void Verify(string path, ModelOptions? options = null)
        => ModelProbe.Verify(path, GgufReader.Read(path), options ?? new ModelOptions(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, Store);

    [ModelFact]
    public void An_abort_in_llama_cpp_becomes_a_model_load_error_naming_the_signal_and_the_assertion()
    {
        // A negative norm epsilon: llama.cpp asserts eps >= 0 at the first decode (the managed rules would refuse it first).
        var path = _temp.File("negative-epsilon.gguf");
        GgufRewrite.Copy(TestPaths.Model("stories260K.gguf"), path, metadata => metadata["llama.attention.layer_norm_rms_epsilon"] = GgufMetadataValue.Of(-1f));

        var result = ModelProbe.CheckInChild(path);

        Assert.Equal(ModelProbeOutcome.Crashed, result.Outcome);
        Assert.Contains("SIGABRT", result.Problem, StringComparison.Ordinal);
        Assert.Contains("GGML_ASSERT", result.Problem, StringComparison.Ordinal);
    }

    [ModelFact]
    public void Weights_that_overflow_to_nan_pass_the_rules_but_not_the_child()
    {
        var path = _temp.File("overflowing.gguf");
        GgufRewrite.Copy(TestPaths.Model("stories260K.gguf"), path, editTensor: (tensor, bytes) =>
        {
            if (tensor.Name == "blk.0.attn_q.weight")
            {
                MemoryMarshal.Cast<byte, float>(bytes.AsSpan()).Fill(3e38f);
            }

            return bytes;
        });
        ModelFileCheck.Check(path);

        var error = Assert.Throws<ModelLoadException>(() => Verify(path));
        Assert.Contains("NaN", error.Problem, StringComparison.Ordinal);

        // The verdict is stored: a second check is refused without a child.
        var stored = Directory.GetFiles(Store);
        Assert.Single(stored);
        var again = Assert.Throws<ModelLoadException>(() => Verify(path));
        Assert.Equal(error.Problem, again.Problem);

        // Through LlamaModel.Load (the default store) it is refused the same way.
        Assert.Throws<ModelLoadException>(() => LlamaModel.Load(path, new ModelOptions { CheckMode = ModelCheckMode.Child }));

        // Managed mode does not run the child: the file loads (and would compute garbage).
        using var model = LlamaModel.Load(path, new ModelOptions { CheckMode = ModelCheckMode.Managed, ContextSize = 64 });
    }

    [ModelFact]
    public void A_passing_file_is_checked_once_and_a_changed_file_again()
    {
        var path = _temp.File("model.gguf");
        File.Copy(TestPaths.Model("stories260K.gguf"), path);

        Verify(path);

        var verdicts = Directory.GetFiles(Store);
        Assert.Single(verdicts);
        Assert.Contains("\"Problem\":null", File.ReadAllText(verdicts[0]), StringComparison.Ordinal);
        var written = File.GetLastWriteTimeUtc(verdicts[0]);

        Verify(path);

        Assert.Equal(written, File.GetLastWriteTimeUtc(verdicts[0]));
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        Verify(path);

        Assert.Equal(2, Directory.GetFiles(Store).Length);
    }

    [ModelFact]
    public void A_file_edited_in_place_with_size_header_and_time_kept_is_checked_again()
    {
        var path = _temp.File("model.gguf");
        File.Copy(TestPaths.Model("stories260K.gguf"), path);
        Verify(path);
        var written = File.GetLastWriteTimeUtc(path);

        // Weights that overflow to NaN written over one tensor in place: same size, same header, same modification time.
        var file = GgufReader.Read(path);
        var tensor = file.Tensors.Single(candidate => candidate.Name == "blk.0.attn_q.weight");
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            stream.Position = file.DataOffset + tensor.Offset;
            var floats = new float[tensor.ByteSize / sizeof(float)];
            Array.Fill(floats, 3e38f);
            stream.Write(MemoryMarshal.AsBytes(floats.AsSpan()));
        }

        File.SetLastWriteTimeUtc(path, written);

        var error = Assert.Throws<ModelLoadException>(() => Verify(path));
        Assert.Contains("NaN", error.Problem, StringComparison.Ordinal);
    }

    [ModelFact]
    public void A_large_files_identity_samples_every_tensor_and_the_data_between()
    {
        var path = _temp.File("model.gguf");
        File.Copy(TestPaths.Model("stories260K.gguf"), path);
        var file = GgufReader.Read(path);
        var original = ModelIdentity.Of(path, file, wholeFileLimit: 0);
        var written = File.GetLastWriteTimeUtc(path);
        var tensor = file.Tensors.Single(candidate => candidate.Name == "blk.2.ffn_down.weight");

        foreach (var at in (long[])[0, tensor.ByteSize / 2, tensor.ByteSize - 1])
        {
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
            {
                stream.Position = file.DataOffset + tensor.Offset + at;
                var old = stream.ReadByte();
                stream.Position--;
                stream.WriteByte((byte)(old ^ 0x5A));
                stream.Flush();
                File.SetLastWriteTimeUtc(path, written);
                Assert.NotEqual(original, ModelIdentity.Of(path, file, wholeFileLimit: 0));
                stream.Position--;
                stream.WriteByte((byte)old);
            }

            File.SetLastWriteTimeUtc(path, written);
            Assert.Equal(original, ModelIdentity.Of(path, file, wholeFileLimit: 0));
        }
    }

    [ModelFact]
    public void A_damaged_verdict_store_only_costs_a_new_check()
    {
        var path = _temp.File("model.gguf");
        File.Copy(TestPaths.Model("stories260K.gguf"), path);
        Verify(path);
        var verdict = Directory.GetFiles(Store).Single();
        File.WriteAllText(verdict, "{ not json");

        Verify(path);

        Assert.Contains("\"Problem\":null", File.ReadAllText(verdict), StringComparison.Ordinal);
        Assert.Equal(FileKind.Regular, SafeFiles.KindOf(verdict));
    }

    [ModelFact]
    public void A_clean_refusal_is_not_stored_and_is_checked_again()
    {
        // llama.cpp refuses an unknown architecture cleanly: maybe a fact about the file, maybe about this llama.cpp.
        var path = _temp.File("unknown-architecture.gguf");
        GgufSamples.UnknownArchitecture().WriteTo(path);

        var error = Assert.Throws<ModelLoadException>(() => Verify(path));

        Assert.Contains("llama.cpp", error.Problem, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Store) && Directory.GetFiles(Store).Length > 0);
    }
}
