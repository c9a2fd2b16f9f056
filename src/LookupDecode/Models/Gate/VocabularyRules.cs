using LookupDecode.Gguf;
using static LookupDecode.Models.Gate.GateValues;

namespace LookupDecode.Models.Gate;

/// <summary>
/// Vocabulary preconditions llama.cpp asserts or trusts: a tokenizer to tokenize with, token texts that are strings
/// and unique (it asserts one id per text), per-token arrays it indexes by id, room for the default special ids it
/// reads unchecked, a well-formed precompiled charsmap (read with unbounded string scans), no byte tokens in a
/// WordPiece vocabulary, and the special tokens a tokenizer is told to add.
/// </summary>
internal static class VocabularyRules
{
    public const int MaxVocabulary = 1 << 24;

    public static void Check(GgufFile file)
    {
        var model = file.GetString("tokenizer.ggml.model");
        if (file.TryGetValue("tokenizer.ggml.model", out var modelValue) && model is null)
        {
            throw Refuse(file, $"'tokenizer.ggml.model' must be a string, not {modelValue.Type}");
        }

        if (model is null or "none" or "no_vocab")
        {
            throw Refuse(file, "the file has no tokenizer ('tokenizer.ggml.model' is missing or none): there is nothing to tokenize a prompt with");
        }

        if (!file.TryGetValue("tokenizer.ggml.tokens", out var tokensValue) || tokensValue.AsArray() is not { ElementType: GgufValueType.String } tokens)
        {
            throw Refuse(file, $"tokenizer '{model}' needs 'tokenizer.ggml.tokens' as an array of strings");
        }

        if (tokens.Length is 0 or > MaxVocabulary)
        {
            throw Refuse(file, $"'tokenizer.ggml.tokens' holds {tokens.Length} tokens (1 to {MaxVocabulary} allowed)");
        }

        var texts = (string[])tokens.Items;
        RequireUniqueTexts(file, texts);
        CheckParallelArray(file, "tokenizer.ggml.scores", GgufValueType.Float32, texts.Length);
        CheckParallelArray(file, "tokenizer.ggml.token_type", GgufValueType.Int32, texts.Length);
        if (file.TryGetValue("tokenizer.ggml.merges", out var merges) && merges.AsArray() is not { ElementType: GgufValueType.String })
        {
            throw Refuse(file, "'tokenizer.ggml.merges' must be an array of strings");
        }

        var defaults = TokenizerDefaults.Of(model);
        if (texts.Length <= defaults.HighestId)
        {
            throw Refuse(file, $"tokenizer '{model}' needs more than {defaults.HighestId} tokens (llama.cpp reads its default special token {defaults.HighestId} unchecked), not {texts.Length}");
        }

        CheckCharsmap(file, model);
        if (model == "bert" && file.TryGetValue("tokenizer.ggml.token_type", out var types) && Array.IndexOf((int[])types.AsArray()!.Items, 6) is var byteToken and >= 0)
        {
            throw Refuse(file, $"token {byteToken} is a byte token, which a WordPiece ('bert') vocabulary cannot render (llama.cpp aborts)");
        }

        RequireAddedToken(file, "bos", defaults.Bos, texts.Length, model);
        RequireAddedToken(file, "eos", defaults.Eos, texts.Length, model);
    }

    /// <summary>llama.cpp names empty texts <c>[EMPTY_i]</c>, then asserts every text maps to one id.</summary>
    private static void RequireUniqueTexts(GgufFile file, string[] texts)
    {
        var seen = new Dictionary<string, int>(texts.Length, StringComparer.Ordinal);
        for (var id = 0; id < texts.Length; id++)
        {
            var text = texts[id].Length == 0 ? $"[EMPTY_{id}]" : texts[id];
            if (!seen.TryAdd(text, id))
            {
                throw Refuse(file, $"tokens {seen[text]} and {id} have the same text '{text}'; llama.cpp asserts token texts are unique");
            }
        }
    }

    private static void CheckParallelArray(GgufFile file, string key, GgufValueType elementType, int length)
    {
        if (!file.TryGetValue(key, out var value))
        {
            return;
        }

        if (value.AsArray() is not { } array || array.ElementType != elementType || array.Length != length)
        {
            var actual = value.AsArray() is { } found ? $"{found.Length} {found.ElementType}" : value.Type.ToString();
            throw Refuse(file, $"'{key}' must be {length} {elementType} values, one per token (llama.cpp reads it by token id), not {actual}");
        }
    }

    /// <summary>
    /// The Unigram normalizer's table: bytes, starting with a little-endian size of the trie that follows, then the
    /// replacement strings, each ending in NUL (llama.cpp scans them without bounds).
    /// </summary>
    private static void CheckCharsmap(GgufFile file, string model)
    {
        const string Key = "tokenizer.ggml.precompiled_charsmap";
        if (!file.TryGetValue(Key, out var value))
        {
            return;
        }

        if (value.AsArray() is not { ElementType: GgufValueType.UInt8 or GgufValueType.Int8 } array)
        {
            throw Refuse(file, $"'{Key}' must be an array of bytes, not {value}");
        }

        if (model != "t5" || array.Length == 0)
        {
            return;
        }

        var bytes = new byte[array.Length];
        Buffer.BlockCopy(array.Items, 0, bytes, 0, bytes.Length);
        var trieSize = bytes.Length >= 4 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes) : uint.MaxValue;
        if (bytes.Length < 4 || trieSize % 4 != 0 || trieSize + 4L >= bytes.Length || bytes[^1] != 0)
        {
            throw Refuse(file, $"'{Key}' is malformed ({bytes.Length} bytes, trie of {(bytes.Length < 4 ? "?" : trieSize)}): it must start with the trie's size, a multiple of 4 smaller than the rest, and end its strings with NUL");
        }
    }

    /// <summary>A tokenizer told to add a special token must have one (llama.cpp asserts when it is missing).</summary>
    private static void RequireAddedToken(GgufFile file, string name, int? fallback, int vocabulary, string model)
    {
        if (!file.TryGetValue($"tokenizer.ggml.add_{name}_token", out var add) || add.Value is not true)
        {
            return;
        }

        var id = file.TryGetValue($"tokenizer.ggml.{name}_token_id", out var idValue) ? idValue.AsInt64() : null;
        var forcedNull = name == "bos" && file.GetString("tokenizer.ggml.pre") is "glm4" or "chatglm-bpe";
        // These pre-tokenizers only change the fallback to none; a valid id in the file still wins (as in llama.cpp).
        if ((id is null || id < 0 || id >= vocabulary) && (forcedNull || fallback is null))
        {
            throw Refuse(file, $"'tokenizer.ggml.add_{name}_token' is set but tokenizer '{model}' has no {name.ToUpperInvariant()} token to add");
        }
    }
}
