using LookupDecode.Gguf;
using LookupDecode.Models;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Models;

/// <summary>
/// One case per precondition llama.cpp asserts on (aborting the process) or trusts: each breaks one rule in an
/// otherwise valid llama file, and the managed gate must refuse it naming what is wrong.
/// </summary>
public sealed class GateRuleTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string, string> MetadataCases
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var (name, (_, expected)) in Cases)
            {
                data.Add(name, expected);
            }

            return data;
        }
    }

    private static readonly Dictionary<string, (Action<Dictionary<string, GgufMetadataValue>> Edit, string Expected)> Cases = new(StringComparer.Ordinal)
    {
        ["layers beyond llama.cpp's 512"] = (m => m["llama.block_count"] = GgufMetadataValue.Of(513u), "llama.block_count"),
        ["layer count as a huge uint64"] = (m => m["llama.block_count"] = new(GgufValueType.UInt64, ulong.MaxValue), "llama.block_count"),
        ["experts beyond the limit"] = (m => { m["llama.expert_count"] = GgufMetadataValue.Of(1000u); m["llama.expert_used_count"] = GgufMetadataValue.Of(2u); }, "llama.expert_count"),
        ["more experts used than exist"] = (m => { m["llama.expert_count"] = GgufMetadataValue.Of(2u); m["llama.expert_used_count"] = GgufMetadataValue.Of(4u); }, "expert_used_count"),
        ["experts used without experts"] = (m => m["llama.expert_used_count"] = GgufMetadataValue.Of(2u), "expert_used_count"),
        ["experts that are never used"] = (m => m["llama.expert_count"] = GgufMetadataValue.Of(4u), "expert_used_count"),
        ["head counts as floats per layer"] = (m => m["llama.attention.head_count"] = GgufMetadataValue.Of(new GgufArray(GgufValueType.Float32, new[] { 4f, 4f })), "llama.attention.head_count"),
        ["head counts as strings per layer"] = (m => m["llama.attention.head_count"] = GgufMetadataValue.Of(new GgufArray(GgufValueType.String, new[] { "4", "4" })), "llama.attention.head_count"),
        ["head counts for the wrong number of layers"] = (m => m["llama.attention.head_count"] = GgufMetadataValue.Of(new GgufArray(GgufValueType.UInt32, new[] { 4u, 4u, 4u })), "one integer per layer"),
        ["head counts that differ between layers"] = (m => m["llama.attention.head_count"] = GgufMetadataValue.Of(new GgufArray(GgufValueType.UInt32, new[] { 4u, 8u })), "differs between layers"),
        ["per-layer head count overflowing int64"] = (m => m["llama.attention.head_count_kv"] = GgufMetadataValue.Of(new GgufArray(GgufValueType.UInt64, new[] { 4ul, ulong.MaxValue })), "llama.attention.head_count_kv"),
        ["per-layer head count as a huge uint32"] = (m => m["llama.attention.head_count"] = GgufMetadataValue.Of(new GgufArray(GgufValueType.UInt32, new[] { 4u, 4_000_000_000u })), "llama.attention.head_count"),
        ["no attention heads"] = (m => m["llama.attention.head_count"] = GgufMetadataValue.Of(0u), "llama.attention.head_count"),
        ["no KV heads"] = (m => m["llama.attention.head_count_kv"] = GgufMetadataValue.Of(0u), "llama.attention.head_count_kv"),
        ["a layer with no KV heads"] = (m => m["llama.attention.head_count_kv"] = GgufMetadataValue.Of(new GgufArray(GgufValueType.UInt32, new[] { 2u, 0u })), "llama.attention.head_count_kv"),
        ["more KV heads than heads"] = (m => m["llama.attention.head_count_kv"] = GgufMetadataValue.Of(8u), "positive multiple"),
        ["heads not a multiple of KV heads"] = (m => m["llama.attention.head_count_kv"] = GgufMetadataValue.Of(3u), "positive multiple"),
        ["odd rope dimensions"] = (m => m["llama.rope.dimension_count"] = GgufMetadataValue.Of(7u), "rope.dimension_count"),
        ["rope wider than a head"] = (m => m["llama.rope.dimension_count"] = GgufMetadataValue.Of(16u), "rope.dimension_count"),
        ["llama rope narrower than a head"] = (m => m["llama.rope.dimension_count"] = GgufMetadataValue.Of(4u), "rotates whole heads"),
        ["unknown rope scaling"] = (m => m["llama.rope.scaling.type"] = GgufMetadataValue.Of("bogus"), "rope.scaling.type"),
        ["rope scaling that is not a string"] = (m => m["llama.rope.scaling.type"] = GgufMetadataValue.Of(1u), "rope.scaling.type"),
        ["negative norm epsilon"] = (m => m["llama.attention.layer_norm_rms_epsilon"] = GgufMetadataValue.Of(-1e-5f), "layer_norm_rms_epsilon"),
        ["NaN norm epsilon"] = (m => m["llama.attention.layer_norm_rms_epsilon"] = GgufMetadataValue.Of(float.NaN), "layer_norm_rms_epsilon"),
        ["NaN rope base"] = (m => m["llama.rope.freq_base"] = GgufMetadataValue.Of(float.NaN), "rope.freq_base"),
        ["zero rope base"] = (m => m["llama.rope.freq_base"] = GgufMetadataValue.Of(0f), "rope.freq_base"),
        ["negative rope scale"] = (m => m["llama.rope.scaling.factor"] = GgufMetadataValue.Of(-4f), "rope.scaling.factor"),
        ["infinite hyperparameter of any name"] = (m => m["llama.attention.logit_softcapping"] = GgufMetadataValue.Of(float.PositiveInfinity), "non-finite"),
        ["NaN in a float array hyperparameter"] = (m => m["llama.rope.scaling.short_factor"] = GgufMetadataValue.Of(new GgufArray(GgufValueType.Float32, new[] { 1f, float.NaN })), "non-finite"),
        ["no tokenizer"] = (m => m.Remove("tokenizer.ggml.model"), "no tokenizer"),
        ["tokenizer none"] = (m => m["tokenizer.ggml.model"] = GgufMetadataValue.Of("none"), "no tokenizer"),
        ["tokenizer name that is not a string"] = (m => m["tokenizer.ggml.model"] = GgufMetadataValue.Of(3u), "tokenizer.ggml.model"),
        ["token texts that are not strings"] = (m => m["tokenizer.ggml.tokens"] = GgufMetadataValue.Of(new GgufArray(GgufValueType.Int32, new int[8])), "tokenizer.ggml.tokens"),
        ["duplicate token texts"] = (m => m["tokenizer.ggml.tokens"] = Tokens("t0", "t1", "t2", "t3", "t4", "t5", "t6", "t3"), "same text 't3'"),
        ["an empty token colliding with its placeholder"] = (m => m["tokenizer.ggml.tokens"] = Tokens("t0", "t1", "t2", "[EMPTY_4]", "", "t5", "t6", "t7"), "[EMPTY_4]"),
        ["scores of the wrong type"] = (m => m["tokenizer.ggml.scores"] = GgufMetadataValue.Of(new GgufArray(GgufValueType.String, Enumerable.Repeat("0", 8).ToArray())), "tokenizer.ggml.scores"),
        ["token types shorter than the vocabulary"] = (m => m["tokenizer.ggml.token_type"] = GgufMetadataValue.Of(new GgufArray(GgufValueType.Int32, new int[3])), "tokenizer.ggml.token_type"),
        ["merges that are not strings"] = (m => m["tokenizer.ggml.merges"] = GgufMetadataValue.Of(new GgufArray(GgufValueType.Int32, new int[2])), "tokenizer.ggml.merges"),
        ["charsmap of the wrong element type"] = (m => m["tokenizer.ggml.precompiled_charsmap"] = GgufMetadataValue.Of(new GgufArray(GgufValueType.Float32, new float[8])), "precompiled_charsmap"),
        ["unigram charsmap shorter than its trie"] = (m => { m["tokenizer.ggml.model"] = GgufMetadataValue.Of("t5"); m["tokenizer.ggml.precompiled_charsmap"] = GgufMetadataValue.Of(new GgufArray(GgufValueType.UInt8, new byte[] { 200, 0, 0, 0, 1, 0 })); }, "malformed"),
        ["unigram charsmap without a final NUL"] = (m => { m["tokenizer.ggml.model"] = GgufMetadataValue.Of("t5"); m["tokenizer.ggml.precompiled_charsmap"] = GgufMetadataValue.Of(new GgufArray(GgufValueType.UInt8, new byte[] { 4, 0, 0, 0, 1, 2, 3, 4, 65, 66 })); }, "malformed"),
        ["WordPiece vocabulary with a byte token"] = (m => { m["tokenizer.ggml.model"] = GgufMetadataValue.Of("bert"); m["tokenizer.ggml.tokens"] = Tokens(Enumerable.Range(0, 120).Select(i => $"w{i}").ToArray()); m["tokenizer.ggml.scores"] = GgufMetadataValue.Of(new GgufArray(GgufValueType.Float32, new float[120])); m["tokenizer.ggml.token_type"] = GgufMetadataValue.Of(new GgufArray(GgufValueType.Int32, Enumerable.Range(0, 120).Select(i => i == 5 ? 6 : 1).ToArray())); }, "byte token"),
        ["BPE vocabulary smaller than its default special ids"] = (m => m["tokenizer.ggml.model"] = GgufMetadataValue.Of("gpt2"), "more than 11 tokens"),
        ["SentencePiece vocabulary of two tokens"] = (m => { m["tokenizer.ggml.tokens"] = Tokens("a", "b"); m.Remove("tokenizer.ggml.scores"); m.Remove("tokenizer.ggml.token_type"); }, "more than 2 tokens"),
        ["unigram tokenizer told to add a BOS it has not"] = (m => { m["tokenizer.ggml.model"] = GgufMetadataValue.Of("t5"); m["tokenizer.ggml.add_bos_token"] = GgufMetadataValue.Of(true); }, "add_bos_token"),
    };

    [Theory]
    [MemberData(nameof(MetadataCases))]
    public void Broken_precondition_is_refused(string name, string expected)
    {
        var path = Write(GgufSamples.Llama(Cases[name].Edit));

        var error = Assert.Throws<GgufFormatException>(() => ModelFileCheck.Check(path));

        Assert.Contains(expected, error.Rule, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("token_embd.weight", GgmlType.I32)]
    [InlineData("token_embd.weight", GgmlType.I8)]
    [InlineData("token_embd.weight", GgmlType.F64)]
    [InlineData("output.weight", GgmlType.I16)]
    [InlineData("output.weight", GgmlType.I64)]
    public void Integer_weights_are_refused(string name, GgmlType type)
    {
        GgmlTypeInfo.TryGetLayout(type, out _, out var bytes);
        var path = Write(GgufSamples.Llama(tensors: writer => writer
            .AddTensor("output_norm.weight", [32], new float[32])
            .AddTensor(name, [32, 8], type, new byte[32 * 8 * bytes])));

        var error = Assert.Throws<GgufFormatException>(() => ModelFileCheck.Check(path));

        Assert.Contains(name, error.Rule, StringComparison.Ordinal);
        Assert.Contains(type.ToString(), error.Rule, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("output_norm.weight")]
    [InlineData("blk.0.attn_q.bias")]
    [InlineData("rope_freqs.weight")]
    public void One_dimensional_tensors_must_be_f32(string name)
    {
        var path = Write(GgufSamples.Llama(tensors: writer => writer
            .AddTensor("token_embd.weight", [32, 8], new float[256])
            .AddTensor(name, [4], GgmlType.F16, new byte[8])));

        var error = Assert.Throws<GgufFormatException>(() => ModelFileCheck.Check(path));

        Assert.Contains(name, error.Rule, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(float.NaN, 0)]
    [InlineData(float.PositiveInfinity, 255)]
    [InlineData(float.NegativeInfinity, 100)]
    public void Non_finite_float_weights_are_refused(float value, int index)
    {
        var weights = new float[32 * 8];
        weights[index] = value;
        var path = Write(GgufSamples.Llama(tensors: writer => writer.AddTensor("token_embd.weight", [32, 8], weights)));

        var error = Assert.Throws<GgufFormatException>(() => ModelFileCheck.Check(path));

        Assert.Contains("NaN or infinite", error.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_finite_half_weights_are_refused()
    {
        var data = new byte[32 * 8 * 2];
        BitConverter.TryWriteBytes(data.AsSpan(20), Half.NaN);
        var path = Write(GgufSamples.Llama(tensors: writer => writer.AddTensor("token_embd.weight", [32, 8], GgmlType.F16, data)));

        Assert.Throws<GgufFormatException>(() => ModelFileCheck.Check(path));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void Non_finite_quantization_scales_are_refused(int block)
    {
        // Q8_0: 34-byte blocks of an f16 scale and 32 int8 values; 32 × 8 elements = 8 blocks.
        var data = new byte[8 * 34];
        for (var i = 0; i < 8; i++)
        {
            BitConverter.TryWriteBytes(data.AsSpan(i * 34), (Half)0.5f);
        }

        BitConverter.TryWriteBytes(data.AsSpan(block * 34), Half.PositiveInfinity);
        var path = Write(GgufSamples.Llama(tensors: writer => writer.AddTensor("token_embd.weight", [32, 8], GgmlType.Q8_0, data)));

        var error = Assert.Throws<GgufFormatException>(() => ModelFileCheck.Check(path));

        Assert.Contains("block scale", error.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void Large_tensors_are_sampled_at_both_ends()
    {
        // 1 MiB of F32: read in windows, but always at both ends.
        var weights = new float[64 * 4096];
        weights[^1] = float.NaN;
        var path = Write(GgufSamples.Llama(vocabulary: 4096, tensors: writer => writer.AddTensor("token_embd.weight", [64, 4096], weights)));

        Assert.Throws<GgufFormatException>(() => ModelFileCheck.Check(path));
    }

    [ModelTheory]
    [InlineData("stories260K.gguf")]
    [InlineData("TinyStories-656K-Q8_0.gguf")]
    [InlineData("llama-2-tiny-random.gguf")]
    public void Real_models_pass_every_rule(string model)
    {
        var file = ModelFileCheck.Check(TestPaths.Model(model));

        Assert.Equal("llama", file.Architecture);
    }

    private static GgufMetadataValue Tokens(params string[] texts) => GgufMetadataValue.Of(new GgufArray(GgufValueType.String, texts));

    private string Write(GgufWriter writer)
    {
        var path = _temp.File($"{Guid.NewGuid():N}.gguf");
        writer.WriteTo(path);
        return path;
    }
}
