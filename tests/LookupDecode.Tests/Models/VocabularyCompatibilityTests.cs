using LookupDecode.Gguf;
using LookupDecode.Models;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Models;

/// <summary>Which model may draft for which: llama.cpp's speculative compatibility rules, with the first difference named.</summary>
public sealed class VocabularyCompatibilityTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Variant(Action<Dictionary<string, GgufMetadataValue>> edit)
    {
        var path = _temp.File($"{Guid.NewGuid():N}.gguf");
        GgufRewrite.Copy(TestPaths.Model("stories260K.gguf"), path, edit);
        return path;
    }

    [ModelFact]
    public void A_model_with_the_same_vocabulary_may_draft()
    {
        var copy = Variant(_ => { });

        VocabularyCompatibility.Check(TestPaths.Model("stories260K.gguf"), copy);
    }

    [ModelFact]
    public void Models_with_different_vocabularies_are_refused_naming_the_difference()
    {
        var error = Assert.Throws<VocabularyMismatchException>(
            () => VocabularyCompatibility.Check(TestPaths.Model("stories260K.gguf"), TestPaths.Model("TinyStories-656K-Q8_0.gguf")));

        Assert.Contains("512 and 2048 tokens", error.Difference, StringComparison.Ordinal);
    }

    [ModelFact]
    public void The_first_token_whose_text_differs_is_named()
    {
        var renamed = Variant(metadata =>
        {
            var tokens = (string[])metadata["tokenizer.ggml.tokens"].AsArray()!.Items.Clone();
            tokens[300] = "renamed-300";
            tokens[400] = "renamed-400";
            metadata["tokenizer.ggml.tokens"] = GgufMetadataValue.Of(new GgufArray(GgufValueType.String, tokens));
        });

        var error = Assert.Throws<VocabularyMismatchException>(() => VocabularyCompatibility.Check(TestPaths.Model("stories260K.gguf"), renamed));

        Assert.StartsWith("token 300 is", error.Difference, StringComparison.Ordinal);
    }

    [ModelTheory]
    [InlineData("tokenizer.ggml.add_bos_token", "adds BOS")]
    [InlineData("tokenizer.ggml.eos_token_id", "EOS token")]
    [InlineData("tokenizer.ggml.model", "tokenizer types")]
    public void Special_token_and_tokenizer_differences_are_refused(string key, string expected)
    {
        var changed = Variant(metadata => metadata[key] = key switch
        {
            "tokenizer.ggml.add_bos_token" => GgufMetadataValue.Of(false),
            "tokenizer.ggml.eos_token_id" => GgufMetadataValue.Of(7u),
            _ => GgufMetadataValue.Of("gpt2"),
        });

        var difference = VocabularyCompatibility.FirstDifference(
            GgufReader.Read(TestPaths.Model("stories260K.gguf")), GgufReader.Read(changed));

        Assert.NotNull(difference);
        Assert.Contains(expected, difference, StringComparison.Ordinal);
    }
}
