using System.Runtime.CompilerServices;

namespace LookupDecode.Drafting;

/// <summary>An n-gram of up to <see cref="MaxLength"/> tokens held by value, for the prompt-lookup index.</summary>
internal readonly struct PromptNgram : IEquatable<PromptNgram>
{
    public const int MaxLength = 8;

    private readonly Tokens _tokens;
    private readonly int _length;
    private readonly int _hash;

    public PromptNgram(ReadOnlySpan<int> tokens)
    {
        _length = tokens.Length;
        var hash = new HashCode();
        for (var i = 0; i < tokens.Length; i++)
        {
            _tokens[i] = tokens[i];
            hash.Add(tokens[i]);
        }

        _hash = hash.ToHashCode();
    }

    public bool Equals(PromptNgram other)
    {
        if (_hash != other._hash || _length != other._length)
        {
            return false;
        }

        ReadOnlySpan<int> mine = _tokens;
        ReadOnlySpan<int> theirs = other._tokens;
        return mine[.._length].SequenceEqual(theirs[.._length]);
    }

    public override bool Equals(object? obj) => obj is PromptNgram other && Equals(other);

    public override int GetHashCode() => _hash;

    [InlineArray(MaxLength)]
    private struct Tokens
    {
        private int _first;
    }
}
