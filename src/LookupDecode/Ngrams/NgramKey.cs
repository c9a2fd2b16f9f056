namespace LookupDecode.Ngrams;

/// <summary>
/// An n-gram of 1 to 4 token ids, laid out as llama.cpp's <c>common_ngram</c>: four slots, unused trailing slots
/// set to -1. Value type: building and hashing one allocates nothing.
/// </summary>
public readonly record struct NgramKey
{
    /// <summary>Value of an unused slot.</summary>
    public const int Unused = -1;

    /// <summary>Creates a key from 1 to 4 tokens.</summary>
    public NgramKey(ReadOnlySpan<int> tokens)
    {
        if (tokens.Length is < 1 or > NgramCache.MaxNgramSize)
        {
            throw new ArgumentOutOfRangeException(nameof(tokens), tokens.Length, $"an n-gram has 1 to {NgramCache.MaxNgramSize} tokens");
        }

        Token0 = tokens[0];
        Token1 = tokens.Length > 1 ? tokens[1] : Unused;
        Token2 = tokens.Length > 2 ? tokens[2] : Unused;
        Token3 = tokens.Length > 3 ? tokens[3] : Unused;
    }

    /// <summary>Creates a key from its four raw slots, as stored in cache files.</summary>
    public NgramKey(int token0, int token1, int token2, int token3)
    {
        Token0 = token0;
        Token1 = token1;
        Token2 = token2;
        Token3 = token3;
    }

    /// <summary>First token.</summary>
    public int Token0 { get; }

    /// <summary>Second token or <see cref="Unused"/>.</summary>
    public int Token1 { get; }

    /// <summary>Third token or <see cref="Unused"/>.</summary>
    public int Token2 { get; }

    /// <summary>Fourth token or <see cref="Unused"/>.</summary>
    public int Token3 { get; }

    /// <summary>Number of used slots.</summary>
    public int Length => Token1 == Unused ? 1 : Token2 == Unused ? 2 : Token3 == Unused ? 3 : 4;

    /// <summary>
    /// True when the slots form a real n-gram: the first is a token id (≥ 0), every used slot is a token id and
    /// every unused slot comes after all used ones.
    /// </summary>
    public bool IsWellFormed
    {
        get
        {
            if (Token0 < 0)
            {
                return false;
            }

            var ended = false;
            foreach (var slot in (ReadOnlySpan<int>)[Token1, Token2, Token3])
            {
                if (slot == Unused)
                {
                    ended = true;
                }
                else if (slot < 0 || ended)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>The slot at <paramref name="index"/> (0…3).</summary>
    public int this[int index] => index switch
    {
        0 => Token0,
        1 => Token1,
        2 => Token2,
        3 => Token3,
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    /// <inheritdoc />
    public override string ToString() => Length switch
    {
        1 => $"[{Token0}]",
        2 => $"[{Token0} {Token1}]",
        3 => $"[{Token0} {Token1} {Token2}]",
        _ => $"[{Token0} {Token1} {Token2} {Token3}]",
    };
}
