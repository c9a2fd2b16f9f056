namespace LookupDecode.Ngrams;

/// <summary>
/// The tokens seen after one n-gram and how often, in the iteration order llama.cpp's lookup would see them
/// (see <see cref="LibstdcxxBucketOrder"/>). A view into the cache: valid until the cache is next modified.
/// </summary>
public readonly ref struct NgramFollowers
{
    internal NgramFollowers(ReadOnlySpan<int> tokens, ReadOnlySpan<int> counts)
    {
        Tokens = tokens;
        Counts = counts;
    }

    /// <summary>Follower token ids, in iteration order.</summary>
    public ReadOnlySpan<int> Tokens { get; }

    /// <summary>How often each follower was seen; parallel to <see cref="Tokens"/>.</summary>
    public ReadOnlySpan<int> Counts { get; }

    /// <summary>Number of distinct followers.</summary>
    public int Length => Tokens.Length;

    /// <summary>True when there are none (never the case for a key present in a cache).</summary>
    public bool IsEmpty => Tokens.IsEmpty;

    /// <summary>How often <paramref name="token"/> followed, or 0.</summary>
    public int CountOf(int token)
    {
        var index = Tokens.IndexOf(token);
        return index < 0 ? 0 : Counts[index];
    }

    /// <summary>Sum of all counts.</summary>
    public long TotalCount
    {
        get
        {
            long total = 0;
            foreach (var count in Counts)
            {
                total += count;
            }

            return total;
        }
    }
}
