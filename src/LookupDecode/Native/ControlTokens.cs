using LLama.Native;

namespace LookupDecode.Native;

/// <summary>
/// The tokens llama.cpp's tokenizer reads out of text only when told to parse special tokens (control and unknown
/// tokens: <c>&lt;s&gt;</c>, <c>&lt;|im_end|&gt;</c>, <c>&lt;unk&gt;</c>, …), and the partition it makes with them: longest
/// text first, every occurrence, whitespace beside a token stripped where the token's attributes say so. User-defined
/// tokens are not here: llama.cpp reads them out of text in either mode.
/// </summary>
internal sealed class ControlTokens
{
    private readonly Entry[] _longestFirst;

    private ControlTokens(Entry[] longestFirst) => _longestFirst = longestFirst;

    /// <summary>How many there are.</summary>
    public int Count => _longestFirst.Length;

    /// <param name="vocab">The model's vocabulary (attributes).</param>
    /// <param name="texts">Every token's text as stored (<c>tokenizer.ggml.tokens</c>), or null to ask llama.cpp for it.</param>
    public static ControlTokens Read(SafeLlamaModelHandle.Vocabulary vocab, IReadOnlyList<string>? texts)
    {
        var entries = new List<Entry>();
        for (var id = 0; id < vocab.Count; id++)
        {
            var attributes = ((LLamaToken)id).GetAttributes(vocab);
            if ((attributes & (LLamaTokenAttr.Control | LLamaTokenAttr.Unknown)) == 0)
            {
                continue;
            }

            var text = texts is not null && texts.Count == vocab.Count ? texts[id] : vocab.LLamaTokenToString(id, true);
            if (!string.IsNullOrEmpty(text))
            {
                entries.Add(new Entry(id, text, (attributes & LLamaTokenAttr.LStrip) != 0, (attributes & LLamaTokenAttr.RStrip) != 0));
            }
        }

        // Longest first, as llama.cpp tries them; ties in id order (llama.cpp's order among equal lengths is unspecified).
        return new ControlTokens([.. entries.OrderByDescending(entry => entry.Text.Length).ThenBy(entry => entry.Id)]);
    }

    /// <summary>Whether <paramref name="text"/> holds the text of any control token.</summary>
    public bool Occur(string text)
    {
        foreach (var entry in _longestFirst)
        {
            if (text.Contains(entry.Text, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Splits a prompt into control tokens and text runs as llama.cpp's tokenizer would with special tokens parsed,
    /// except that control tokens are read only out of pieces marked <c>Parse</c>: other pieces stay text whatever they
    /// hold. Adjacent text (parsed or not) forms one run, as it does in llama.cpp.
    /// </summary>
    public IReadOnlyList<PromptFragment> Partition(IEnumerable<(string Text, bool Parse)> pieces)
    {
        var fragments = new List<Piece>();
        foreach (var (text, parse) in pieces)
        {
            if (text.Length > 0)
            {
                fragments.Add(new Piece(text, parse, null));
            }
        }

        foreach (var entry in _longestFirst)
        {
            for (var index = 0; index < fragments.Count; index++)
            {
                var piece = fragments[index];
                if (piece.Token is not null || !piece.Parse)
                {
                    continue;
                }

                var at = piece.Text.IndexOf(entry.Text, StringComparison.Ordinal);
                if (at < 0)
                {
                    continue;
                }

                var after = piece.Text[(at + entry.Text.Length)..];
                fragments[index] = new Piece(entry.Text, false, entry);
                if (after.Length > 0)
                {
                    fragments.Insert(index + 1, new Piece(after, true, null));
                }

                if (at > 0)
                {
                    fragments.Insert(index, new Piece(piece.Text[..at], true, null));
                    index++;
                }
            }
        }

        return Merge(fragments);
    }

    private static List<PromptFragment> Merge(List<Piece> pieces)
    {
        var result = new List<PromptFragment>();
        var run = new System.Text.StringBuilder();
        Entry? previous = null;
        foreach (var piece in pieces)
        {
            if (piece.Token is null)
            {
                run.Append(piece.Text);
                continue;
            }

            Flush(piece.Token.StripLeft);
            result.Add(PromptFragment.Of(piece.Token.Id));
            previous = piece.Token;
        }

        Flush(trimEnd: false);
        return result;

        // Ends the text run before a token (or at the end): trimmed where the token before it strips right, the one after it strips left.
        void Flush(bool trimEnd)
        {
            var text = run.ToString();
            run.Clear();
            var start = 0;
            var end = text.Length;
            if (previous?.StripRight == true)
            {
                while (start < end && IsSpace(text[start]))
                {
                    start++;
                }
            }

            if (trimEnd)
            {
                while (end > start && IsSpace(text[end - 1]))
                {
                    end--;
                }
            }

            if (end > start)
            {
                result.Add(PromptFragment.Of(text[start..end]));
            }

            previous = null;
        }
    }

    /// <summary>C's <c>isspace</c> in the C locale, which llama.cpp strips with.</summary>
    private static bool IsSpace(char character) => character is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';

    private sealed record Entry(int Id, string Text, bool StripLeft, bool StripRight);

    private sealed record Piece(string Text, bool Parse, Entry? Token);
}

/// <summary>One part of a partitioned prompt: a control token, or text to tokenize as text.</summary>
internal readonly record struct PromptFragment(int? Token, string? Text)
{
    public static PromptFragment Of(int token) => new(token, null);

    public static PromptFragment Of(string text) => new(null, text);
}
