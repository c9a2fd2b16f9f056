using LookupDecode.Gguf;

namespace LookupDecode.Synthesis;

/// <summary>
/// A valid SentencePiece ("llama") vocabulary of any size for synthetic models: &lt;unk&gt;, &lt;s&gt;, &lt;/s&gt;, the 256
/// byte-fallback tokens (so any text tokenizes), "▁", the printable ASCII characters, then generated lowercase
/// pieces with and without the word-start mark. Scores fall with the id, so shorter, earlier pieces merge first.
/// </summary>
internal static class SyntheticVocabulary
{
    private const int Normal = 1;
    private const int Unknown = 2;
    private const int Control = 3;
    private const int Byte = 6;

    public static void AddTo(GgufWriter writer, int size)
    {
        var tokens = new List<string>(size) { "<unk>", "<s>", "</s>" };
        var types = new List<int>(size) { Unknown, Control, Control };
        for (var b = 0; b < 256; b++)
        {
            tokens.Add($"<0x{b:X2}>");
            types.Add(Byte);
        }

        var seen = new HashSet<string>(tokens, StringComparer.Ordinal);
        foreach (var piece in Pieces())
        {
            if (tokens.Count == size)
            {
                break;
            }

            if (seen.Add(piece))
            {
                tokens.Add(piece);
                types.Add(Normal);
            }
        }

        var scores = new float[tokens.Count];
        for (var i = 0; i < scores.Length; i++)
        {
            scores[i] = types[i] == Normal ? -i : 0f;
        }

        writer.AddMetadata("tokenizer.ggml.model", GgufMetadataValue.Of("llama"));
        writer.AddMetadata("tokenizer.ggml.tokens", GgufMetadataValue.Of(new GgufArray(GgufValueType.String, tokens.ToArray())));
        writer.AddMetadata("tokenizer.ggml.scores", GgufMetadataValue.Of(new GgufArray(GgufValueType.Float32, scores)));
        writer.AddMetadata("tokenizer.ggml.token_type", GgufMetadataValue.Of(new GgufArray(GgufValueType.Int32, types.ToArray())));
        writer.AddMetadata("tokenizer.ggml.unknown_token_id", GgufMetadataValue.Of(0u));
        writer.AddMetadata("tokenizer.ggml.bos_token_id", GgufMetadataValue.Of(1u));
        writer.AddMetadata("tokenizer.ggml.eos_token_id", GgufMetadataValue.Of(2u));
        writer.AddMetadata("tokenizer.ggml.add_bos_token", GgufMetadataValue.Of(true));
        writer.AddMetadata("tokenizer.ggml.add_eos_token", GgufMetadataValue.Of(false));
    }

    private static IEnumerable<string> Pieces()
    {
        yield return "\u2581";
        for (var c = '!'; c <= '~'; c++)
        {
            yield return c.ToString();
        }

        // Then every lowercase string in length order, each also as a word start: a, ▁a, b, ▁b, …, aa, ▁aa, …
        for (var length = 1; ; length++)
        {
            var letters = new char[length];
            Array.Fill(letters, 'a');
            while (true)
            {
                var piece = new string(letters);
                yield return piece;
                yield return "\u2581" + piece;
                var position = length - 1;
                while (position >= 0 && letters[position] == 'z')
                {
                    letters[position--] = 'a';
                }

                if (position < 0)
                {
                    break;
                }

                letters[position]++;
            }
        }
    }
}
