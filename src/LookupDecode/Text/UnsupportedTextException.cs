namespace LookupDecode.Text;

/// <summary>
/// Text contains a character the model's vocabulary cannot encode. Raised before llama.cpp's tokenizer sees
/// the text: for vocabularies without byte-fallback tokens that tokenizer aborts the whole process instead.
/// </summary>
public sealed class UnsupportedTextException : LookupDecodeException
{
    /// <summary>Creates the exception.</summary>
    public UnsupportedTextException(string modelName, string character, int position)
        : base($"The model '{modelName}' cannot encode the character {Describe(character)} at position {position} of the text: "
               + "its vocabulary has no token for it and no byte-fallback tokens. Remove or replace the character.")
    {
        Character = character;
        Position = position;
    }

    /// <summary>The first character that cannot be encoded (one Unicode scalar, possibly two UTF-16 units).</summary>
    public string Character { get; }

    /// <summary>UTF-16 index of that character in the text.</summary>
    public int Position { get; }

    private static string Describe(string character)
    {
        var rune = System.Text.Rune.GetRuneAt(character, 0);
        var printable = System.Text.Rune.IsControl(rune) || System.Text.Rune.IsWhiteSpace(rune) ? "" : $"'{character}' ";
        return $"{printable}(U+{rune.Value:X4})";
    }
}
