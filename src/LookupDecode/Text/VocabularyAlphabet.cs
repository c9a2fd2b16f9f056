using System.Text;

namespace LookupDecode.Text;

/// <summary>
/// The characters a SentencePiece vocabulary can encode without llama.cpp aborting. Its tokenizer falls back to byte
/// tokens (<c>&lt;0xAB&gt;</c>, or a token whose text is that single byte) for a piece it has no token for, and looks
/// them up with <c>std::map::at</c>: one missing byte throws <c>std::out_of_range</c> inside native code, which aborts
/// the process. A character is accepted when the vocabulary has a token that is exactly that character, or a byte
/// token for every byte of its UTF-8 form — decided per character, so a vocabulary with some byte tokens but not all
/// is guarded too. Conservative: it may refuse a character that a longer token would have absorbed.
/// </summary>
internal sealed class VocabularyAlphabet
{
    /// <summary>SentencePiece writes a space as U+2581 before tokenizing, so a space needs that character's bytes.</summary>
    private const char SentencePieceSpace = '\u2581';

    private readonly HashSet<int> _codePoints;
    private readonly bool[] _bytes;

    /// <param name="codePoints">Characters that are a whole token's text.</param>
    /// <param name="bytes">Byte values the tokenizer can fall back to (a byte token or a one-byte token).</param>
    public VocabularyAlphabet(IEnumerable<int> codePoints, IEnumerable<byte> bytes)
    {
        _codePoints = [.. codePoints];
        _bytes = new bool[256];
        foreach (var value in bytes)
        {
            _bytes[value] = true;
        }

        ByteCount = _bytes.Count(present => present);
    }

    /// <summary>
    /// The alphabet of a vocabulary's token texts (GGUF <c>tokenizer.ggml.tokens</c>, which llama.cpp looks pieces up
    /// in): one-character texts are characters, <c>&lt;0xAB&gt;</c> texts and one-byte texts are fallback bytes.
    /// </summary>
    public static VocabularyAlphabet FromTokenTexts(IEnumerable<string> texts)
    {
        var codePoints = new List<int>();
        var bytes = new List<byte>();
        foreach (var text in texts)
        {
            if (text.Length == 6 && text.StartsWith("<0x", StringComparison.Ordinal) && text[5] == '>'
                && byte.TryParse(text.AsSpan(3, 2), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var value)
                && text.AsSpan(3, 2).ToString() == value.ToString("X2", System.Globalization.CultureInfo.InvariantCulture))
            {
                bytes.Add(value);
                continue;
            }

            if (Rune.DecodeFromUtf16(text, out var rune, out var consumed) == System.Buffers.OperationStatus.Done && consumed == text.Length)
            {
                codePoints.Add(rune.Value);
                if (rune.Value < 0x80)
                {
                    bytes.Add((byte)rune.Value);
                }
            }
        }

        return new VocabularyAlphabet(codePoints, bytes);
    }

    /// <summary>Characters with a token of their own.</summary>
    public int Count => _codePoints.Count;

    /// <summary>Distinct byte values with a fallback token.</summary>
    public int ByteCount { get; }

    /// <summary>True when every byte has a fallback token, so every character is encodable.</summary>
    public bool IsComplete => ByteCount == 256;

    public bool Contains(Rune rune)
    {
        if (_codePoints.Contains(rune.Value) || IsComplete)
        {
            return true;
        }

        var form = rune.Value == ' ' ? new Rune(SentencePieceSpace) : rune;
        if (form != rune && _codePoints.Contains(form.Value))
        {
            return true;
        }

        Span<byte> utf8 = stackalloc byte[4];
        var length = form.EncodeToUtf8(utf8);
        foreach (var value in utf8[..length])
        {
            if (!_bytes[value])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Index and text of the first character not in the alphabet, or <c>null</c> when all are.</summary>
    public (int Position, string Character)? FindFirstUnsupported(string text)
    {
        if (text.Length > 0 && !Contains(new Rune(' ')))
        {
            // The tokenizer prefixes a space (U+2581) to the text: a vocabulary that cannot encode it cannot encode anything.
            return (0, " ");
        }

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
