using LookupDecode.Text;

namespace LookupDecode.Tests.Text;

/// <summary>
/// The tokenizer guard decides per character: a character is encodable when a token is exactly it, or when every byte
/// of its UTF-8 form has a byte token — so a vocabulary with some byte tokens but not all is guarded too.
/// </summary>
public sealed class VocabularyAlphabetTests
{
    private static string[] ByteTokens(params int[] values) => [.. values.Select(value => $"<0x{value:X2}>")];

    [Fact]
    public void A_character_with_its_own_token_is_encodable()
    {
        var alphabet = VocabularyAlphabet.FromTokenTexts(["\u2581", "a", "é"]);

        Assert.Null(alphabet.FindFirstUnsupported("a é"));
        Assert.False(alphabet.IsComplete);
    }

    [Fact]
    public void A_character_is_encodable_through_byte_tokens_only_when_all_its_bytes_have_one()
    {
        // 'é' is C3 A9; '中' is E4 B8 AD.
        var alphabet = VocabularyAlphabet.FromTokenTexts(["\u2581", .. ByteTokens(0xC3, 0xA9, 0xE4, 0xB8)]);

        Assert.Null(alphabet.FindFirstUnsupported("é"));
        Assert.Equal((1, "中"), alphabet.FindFirstUnsupported("é中"));
    }

    [Fact]
    public void Ascii_tokens_double_as_fallback_bytes()
    {
        var alphabet = VocabularyAlphabet.FromTokenTexts(["\u2581", "a", "b"]);

        Assert.Null(alphabet.FindFirstUnsupported("ab ba"));
        Assert.Equal((0, "c"), alphabet.FindFirstUnsupported("c"));
    }

    [Fact]
    public void Byte_tokens_must_be_written_as_llama_cpp_looks_them_up()
    {
        // llama.cpp looks up "<0xC3>" (upper-case hex): "<0xc3>" or "<0x0C3>" are ordinary tokens.
        var alphabet = VocabularyAlphabet.FromTokenTexts(["\u2581", "<0xc3>", "<0xA9>"]);

        Assert.Equal(1, alphabet.ByteCount);
        Assert.NotNull(alphabet.FindFirstUnsupported("é"));
    }

    [Fact]
    public void A_space_needs_the_sentencepiece_space_or_its_bytes()
    {
        Assert.Equal((0, " "), VocabularyAlphabet.FromTokenTexts(["a"]).FindFirstUnsupported("a"));
        Assert.Null(VocabularyAlphabet.FromTokenTexts(["a", .. ByteTokens(0xE2, 0x96, 0x81)]).FindFirstUnsupported("a a"));
    }

    [Fact]
    public void All_256_byte_tokens_make_every_character_encodable()
    {
        var alphabet = VocabularyAlphabet.FromTokenTexts(ByteTokens([.. Enumerable.Range(0, 256)]));

        Assert.True(alphabet.IsComplete);
        Assert.Null(alphabet.FindFirstUnsupported("any text, 中文, emoji 🎉"));
    }
}

/// <summary>A real model whose vocabulary lost some byte tokens: the guard refuses what would abort llama.cpp.</summary>
public sealed class PartialByteFallbackTests : IDisposable
{
    private readonly Support.TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Support.ModelFact]
    public void Characters_needing_a_missing_byte_token_are_refused_and_the_rest_tokenize()
    {
        var path = _temp.File("half-bytes.gguf");
        Support.GgufRewrite.Copy(Support.TestPaths.Model("stories260K.gguf"), path, metadata =>
        {
            var tokens = (string[])metadata["tokenizer.ggml.tokens"].AsArray()!.Items.Clone();
            for (var value = 0x80; value < 0x100; value += 2)
            {
                var index = Array.IndexOf(tokens, $"<0x{value:X2}>");
                tokens[index] = $"<removed-{value}>";
            }

            metadata["tokenizer.ggml.tokens"] = LookupDecode.Gguf.GgufMetadataValue.Of(new LookupDecode.Gguf.GgufArray(LookupDecode.Gguf.GgufValueType.String, tokens));
        });

        using var model = LookupDecode.Models.LlamaModel.Load(path, new LookupDecode.Models.ModelOptions { ContextSize = 64, CheckMode = LookupDecode.Models.ModelCheckMode.Managed });

        Assert.False(model.Info.HasByteFallback);
        Assert.NotEmpty(model.Tokenize("Once upon a time"));
        Assert.NotEmpty(model.Tokenize("\u00e9")); // C3 A9: both odd, kept
        var error = Assert.Throws<UnsupportedTextException>(() => model.Tokenize("\u4e2d")); // E4 B8 AD: E4 and B8 removed
        Assert.Contains("\u4e2d", error.Message, StringComparison.Ordinal);
        Assert.False(model.CanEncode("\u4e2d"));
    }
}
