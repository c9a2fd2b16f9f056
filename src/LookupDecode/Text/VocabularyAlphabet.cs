using System.Text;

namespace LookupDecode.Text;

/// <summary>
/// The characters a vocabulary without byte-fallback tokens can encode. llama.cpp's SentencePiece tokenizer
/// falls back to byte tokens for a character it has no token for, and with none present it throws inside
/// native code (<c>std::out_of_range</c> from <c>byte_to_token</c>), which aborts the process. A character is
/// accepted here only when the vocabulary has a token that is exactly that character, which is sufficient
/// for the tokenizer never to need a fallback (conservative: it may refuse a character that some merge
/// would have absorbed).
/// </summary>
internal sealed class VocabularyAlphabet
{
    private readonly HashSet<int> _codePoints;

    public VocabularyAlphabet(IEnumerable<int> codePoints) => _codePoints = [.. codePoints];

    public int Count => _codePoints.Count;

    public bool Contains(Rune rune) => _codePoints.Contains(rune.Value);

    /// <summary>Index and text of the first character not in the alphabet, or <c>null</c> when all are.</summary>
    public (int Position, string Character)? FindFirstUnsupported(string text)
    {
        var index = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (!Contains(rune))
            {
                return (index, rune.ToString());
            }

            index += rune.Utf16SequenceLength;
        }

        return null;
    }
}
