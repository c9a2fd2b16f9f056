namespace LookupDecode.Text;

/// <summary>Where a token's text stands in a word, as drafting evidence.</summary>
internal enum TokenKind : byte
{
    /// <summary>Punctuation, whitespace, a byte piece, a special token, or unknown.</summary>
    Other = 0,

    /// <summary>Starts a word: a space, then a letter or digit.</summary>
    WordStart = 1,

    /// <summary>Goes on with the word before it: a letter or digit with no space before it.</summary>
    Continuation = 2,
}

/// <summary>
/// The <see cref="TokenKind"/> of every token of a vocabulary, from each token's text. A drafted piece that continues a
/// word is much likelier to be right than one that starts the next word (on Vicuna-7B's Spec-Bench answers, the suffix
/// drafter's first token is accepted 75% of the time as a continuation, 52% as a word start), so drafters that score
/// their tokens add it to their evidence. Read-only after construction; thread-safe.
/// </summary>
internal sealed class TokenKinds
{
    private readonly TokenKind[] _kinds;

    private TokenKinds(TokenKind[] kinds) => _kinds = kinds;

    /// <summary>Number of <see cref="TokenKind"/> values, for evidence classes.</summary>
    public const int Count = 3;

    /// <summary>Tokens covered.</summary>
    public int VocabularySize => _kinds.Length;

    /// <summary>The kind of <paramref name="token"/>; <see cref="TokenKind.Other"/> outside the vocabulary.</summary>
    public TokenKind Of(int token) => (uint)token < (uint)_kinds.Length ? _kinds[token] : TokenKind.Other;

    /// <summary>
    /// Classifies <paramref name="vocabularySize"/> tokens; <paramref name="writePiece"/> writes a token's text as UTF-8
    /// (special tokens not rendered) and returns its length — when that exceeds the span, it may have written nothing
    /// (llama.cpp's <c>llama_token_to_piece</c> does not), and the piece is written again into a buffer that fits.
    /// </summary>
    public static TokenKinds FromPieces(int vocabularySize, PieceWriter writePiece)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(vocabularySize);
        ArgumentNullException.ThrowIfNull(writePiece);
        var kinds = new TokenKind[vocabularySize];
        Span<byte> piece = stackalloc byte[64];
        for (var token = 0; token < vocabularySize; token++)
        {
            var length = writePiece(token, piece);
            if (length > piece.Length)
            {
                // Rare (a long piece): written again whole, once.
                var whole = new byte[length];
                length = Math.Min(writePiece(token, whole), whole.Length);
                kinds[token] = length <= 0 ? TokenKind.Other : Classify(whole.AsSpan(0, length));
                continue;
            }

            kinds[token] = length <= 0 ? TokenKind.Other : Classify(piece[..length]);
        }

        return new TokenKinds(kinds);
    }

    /// <summary>The kind of a token whose text is <paramref name="utf8"/> (possibly cut short).</summary>
    public static TokenKind Classify(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return TokenKind.Other;
        }

        var spaced = utf8[0] == (byte)' ';
        var rest = spaced ? utf8[1..] : utf8;
        if (rest.IsEmpty || !StartsWithLetterOrDigit(rest))
        {
            return TokenKind.Other;
        }

        return spaced ? TokenKind.WordStart : TokenKind.Continuation;
    }

    private static bool StartsWithLetterOrDigit(ReadOnlySpan<byte> utf8)
    {
        // A piece cut inside a character (byte-level vocabularies) is not a letter as far as we know.
        return System.Text.Rune.DecodeFromUtf8(utf8, out var rune, out _) == System.Buffers.OperationStatus.Done
               && System.Text.Rune.IsLetterOrDigit(rune);
    }

    /// <summary>Writes token <paramref name="token"/>'s UTF-8 text into <paramref name="destination"/> if it fits; returns its full length.</summary>
    public delegate int PieceWriter(int token, Span<byte> destination);
}
