namespace LookupDecode.Drafting.Suffix;

/// <summary>
/// An append-only token sequence indexed for "where did the text that ends here occur before, and what followed":
/// for n-gram sizes from 1 to 32, a hash chain links every occurrence of an n-gram to the previous one with the same
/// hash, newest first. An entry at end position <c>e</c> stands for the n-gram <c>tokens[e-n … e-1]</c> followed by
/// <c>tokens[e]</c>, so only n-grams with a continuation are indexed. Appending costs O(32); a query visits at most a
/// bounded number of the newest occurrences of the longest n-gram that occurs, and extends each match backwards to
/// measure its real length. No allocation once the arrays have grown.
/// </summary>
internal sealed class SuffixIndex
{
    /// <summary>The n-gram sizes indexed, shortest first.</summary>
    public static readonly int[] Sizes = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32];

    /// <summary>Longest match measured when extending a candidate backwards.</summary>
    public const int LongestMatch = 64;

    /// <summary>A separator between independent sequences (outputs in a memory): never equal to a token, never matched.</summary>
    public const int Separator = -1;

    private readonly Dictionary<ulong, int>[] _newest;
    private readonly int[][] _previous;
    private int[] _tokens;
    private readonly ulong[] _hashes = new ulong[Sizes.Length];

    public SuffixIndex(int capacity = 1024)
    {
        capacity = Math.Max(capacity, 16);
        _tokens = new int[capacity];
        _newest = new Dictionary<ulong, int>[Sizes.Length];
        _previous = new int[Sizes.Length][];
        for (var i = 0; i < Sizes.Length; i++)
        {
            _newest[i] = new Dictionary<ulong, int>(capacity);
            _previous[i] = new int[capacity];
        }
    }

    /// <summary>Tokens (and separators) held.</summary>
    public int Count { get; private set; }

    /// <summary>The held tokens.</summary>
    public ReadOnlySpan<int> Tokens => _tokens.AsSpan(0, Count);

    /// <summary>Empties the index, keeping its memory.</summary>
    public void Clear()
    {
        Count = 0;
        foreach (var newest in _newest)
        {
            newest.Clear();
        }
    }

    /// <summary>Appends every token of <paramref name="tokens"/>.</summary>
    public void AppendRange(ReadOnlySpan<int> tokens)
    {
        foreach (var token in tokens)
        {
            Append(token);
        }
    }

    /// <summary>Appends one token (or <see cref="Separator"/>), indexing the n-grams it continues.</summary>
    public void Append(int token)
    {
        if (Count == _tokens.Length)
        {
            Grow();
        }

        var end = Count;
        _tokens[end] = token;
        Count++;
        if (token == Separator)
        {
            return;
        }

        // The n-grams ending just before the new token, which is their continuation; none crosses a separator.
        var sizes = HashesOfEnding(_tokens.AsSpan(0, end), _hashes);
        for (var i = 0; i < sizes; i++)
        {
            var newest = _newest[i];
            _previous[i][end] = newest.TryGetValue(_hashes[i], out var before) ? before : -1;
            newest[_hashes[i]] = end;
        }
    }

    /// <summary>
    /// Finds earlier occurrences of the longest indexed n-gram that ends <paramref name="query"/> and writes up to
    /// <c>ends.Length</c> of the newest ones: where their continuation starts, and how long the match really is (the
    /// n-gram extended backwards, up to <see cref="LongestMatch"/>). Returns how many were written.
    /// </summary>
    /// <param name="query">The text whose ending is looked up (the current history).</param>
    /// <param name="ends">Receives continuation starts.</param>
    /// <param name="lengths">Receives match lengths.</param>
    /// <param name="excludeFrom">Ends at or after this are ignored (the query's own tail when it is this index).</param>
    public int FindMatches(ReadOnlySpan<int> query, Span<int> ends, Span<int> lengths, int excludeFrom = int.MaxValue)
        => FindMatches(query, ends, lengths, excludeFrom, shorterSizes: 0);

    /// <summary>
    /// As <see cref="FindMatches(ReadOnlySpan{int}, Span{int}, Span{int}, int)"/>, then fills the remaining room with
    /// occurrences of up to <paramref name="shorterSizes"/> shorter n-grams (each occurrence once): the alternatives a
    /// token tree can also verify.
    /// </summary>
    public int FindMatches(ReadOnlySpan<int> query, Span<int> ends, Span<int> lengths, int excludeFrom, int shorterSizes)
    {
        Span<ulong> hashes = stackalloc ulong[Sizes.Length];
        var sizes = HashesOfEnding(query, hashes);
        var total = 0;
        var levels = -1;
        for (var i = sizes - 1; i >= 0 && levels < shorterSizes && total < ends.Length; i--)
        {
            if (!_newest[i].TryGetValue(hashes[i], out var end))
            {
                continue;
            }

            var size = Sizes[i];
            var found = 0;
            for (var visited = 0; end >= 0 && total + found < ends.Length && visited < 4 * ends.Length; visited++, end = _previous[i][end])
            {
                if (end >= excludeFrom || !_tokens.AsSpan(end - size, size).SequenceEqual(query[^size..]) || ends[..total].Contains(end))
                {
                    continue;
                }

                ends[total + found] = end;
                lengths[total + found] = MatchLength(query, end, size);
                found++;
            }

            if (found > 0 || total > 0)
            {
                total += found;
                levels++;
            }
        }

        return total;
    }

    /// <summary>The token at <paramref name="position"/>, or <see cref="Separator"/> past the end.</summary>
    public int At(int position) => position < Count ? _tokens[position] : Separator;

    private int MatchLength(ReadOnlySpan<int> query, int end, int size)
    {
        var length = size;
        while (length < LongestMatch && end - length - 1 >= 0 && query.Length - length - 1 >= 0
               && _tokens[end - length - 1] == query[query.Length - length - 1] && _tokens[end - length - 1] != Separator)
        {
            length++;
        }

        return length;
    }

    /// <summary>
    /// Hashes of the n-grams (each indexed size) that end <paramref name="text"/>, i.e. its last n tokens, stopping at a
    /// <see cref="Separator"/> so no n-gram spans two sequences; returns how many sizes fit.
    /// </summary>
    private static int HashesOfEnding(ReadOnlySpan<int> text, Span<ulong> hashes)
    {
        ulong hash = 0;
        var sizeIndex = 0;
        for (var length = 1; length <= Sizes[^1] && length <= text.Length; length++)
        {
            var token = text[^length];
            if (token == Separator)
            {
                break;
            }

            hash = Mix(hash, token);
            if (length == Sizes[sizeIndex])
            {
                hashes[sizeIndex++] = hash ^ (ulong)length;
                if (sizeIndex == Sizes.Length)
                {
                    break;
                }
            }
        }

        return sizeIndex;
    }

    private static ulong Mix(ulong hash, int token) => (hash * 0x9E3779B97F4A7C15UL) + (uint)token + 0x632BE59BD9B4E019UL;

    private void Grow()
    {
        var size = _tokens.Length * 2;
        Array.Resize(ref _tokens, size);
        for (var i = 0; i < _previous.Length; i++)
        {
            Array.Resize(ref _previous[i], size);
        }
    }
}
