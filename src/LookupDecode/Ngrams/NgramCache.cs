using System.Diagnostics.CodeAnalysis;

namespace LookupDecode.Ngrams;

/// <summary>
/// llama.cpp's n-gram cache (<c>common/ngram-cache</c>): every n-gram of 1 to 4 tokens seen in a token stream,
/// mapped to the tokens that followed it and how often. Append-only: <see cref="Update"/> counts the n-grams
/// ending at new tokens. Followers keep the iteration order llama.cpp's <c>std::unordered_map</c> would have,
/// so drafting breaks ties exactly as upstream does. Storage is one arena of parallel arrays (no object per
/// n-gram), and lookups allocate nothing. Not thread-safe.
/// </summary>
public sealed class NgramCache
{
    /// <summary>Shortest n-gram llama.cpp's lookup counts (<c>LLAMA_NGRAM_MIN</c>).</summary>
    public const int MinNgramSize = 1;

    /// <summary>Longest n-gram llama.cpp's lookup counts (<c>LLAMA_NGRAM_MAX</c>).</summary>
    public const int MaxNgramSize = 4;

    /// <summary>N-gram size of static caches (<c>LLAMA_NGRAM_STATIC</c>).</summary>
    public const int StaticNgramSize = 2;

    private readonly Dictionary<NgramKey, int> _partByKey;
    private NgramKey[] _keys;
    private Part[] _parts;
    private int[] _tokens;
    private int[] _counts;
    private int[] _buckets;
    private int _arenaUsed;
    private int[] _scratchTokens = new int[16];
    private int[] _scratchCounts = new int[16];
    private int[] _scratchBuckets = new int[16];

    /// <summary>Creates an empty cache sized for about <paramref name="expectedNgrams"/> distinct n-grams.</summary>
    public NgramCache(int expectedNgrams = 256)
    {
        expectedNgrams = Math.Max(expectedNgrams, 16);
        _partByKey = new Dictionary<NgramKey, int>(expectedNgrams);
        _keys = new NgramKey[expectedNgrams];
        _parts = new Part[expectedNgrams];
        _tokens = new int[expectedNgrams * 2];
        _counts = new int[expectedNgrams * 2];
        _buckets = new int[expectedNgrams * 2];
    }

    /// <summary>Number of distinct n-grams.</summary>
    public int Count { get; private set; }

    /// <summary>Number of (n-gram, follower) pairs.</summary>
    public long FollowerPairs { get; private set; }

    /// <summary>Largest token id stored (as key or follower), or -1 when empty.</summary>
    public int MaxTokenId { get; private set; } = -1;

    /// <summary>The n-grams in the order they were first added.</summary>
    public IEnumerable<NgramKey> Keys
    {
        get
        {
            for (var i = 0; i < Count; i++)
            {
                yield return _keys[i];
            }
        }
    }

    /// <summary>
    /// Counts the n-grams of <paramref name="minSize"/>…<paramref name="maxSize"/> tokens that end at each of the last
    /// <paramref name="newTokens"/> tokens of <paramref name="tokens"/> (llama.cpp <c>common_ngram_cache_update</c>).
    /// </summary>
    public void Update(ReadOnlySpan<int> tokens, int newTokens, int minSize = MinNgramSize, int maxSize = MaxNgramSize)
    {
        if (minSize < MinNgramSize || maxSize > MaxNgramSize || minSize > maxSize)
        {
            throw new ArgumentOutOfRangeException(nameof(minSize), $"n-gram sizes must satisfy {MinNgramSize} <= min <= max <= {MaxNgramSize}");
        }

        for (var size = minSize; size <= maxSize; size++)
        {
            var start = Math.Max(tokens.Length - newTokens, size);
            for (var i = start; i < tokens.Length; i++)
            {
                Add(new NgramKey(tokens.Slice(i - size, size)), tokens[i], 1);
            }
        }
    }

    /// <summary>Adds <paramref name="count"/> to how often <paramref name="token"/> followed <paramref name="key"/>.</summary>
    public void Add(NgramKey key, int token, int count)
    {
        if (count <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "counts are positive");
        }

        if (!_partByKey.TryGetValue(key, out var part))
        {
            part = NewPart(key);
        }

        AddToPart(part, token, count);
    }

    /// <summary>The followers of <paramref name="key"/>, if it was ever seen.</summary>
    public bool TryGetFollowers(NgramKey key, out NgramFollowers followers)
    {
        if (_partByKey.TryGetValue(key, out var part))
        {
            followers = Followers(part);
            return true;
        }

        followers = default;
        return false;
    }

    /// <summary>The followers of the <paramref name="index"/>-th n-gram in <see cref="Keys"/> order.</summary>
    public NgramFollowers FollowersAt(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
        return Followers(index);
    }

    /// <summary>The <paramref name="index"/>-th n-gram in <see cref="Keys"/> order.</summary>
    public NgramKey KeyAt(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
        return _keys[index];
    }

    /// <summary>
    /// Adds every count of <paramref name="other"/> to this cache (llama.cpp <c>common_ngram_cache_merge</c>): an n-gram
    /// new here is copied with its follower order; an existing one gets the other's followers in the other's order.
    /// </summary>
    public void Merge(NgramCache other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(other, this))
        {
            throw new ArgumentException("a cache cannot be merged into itself", nameof(other));
        }

        for (var index = 0; index < other.Count; index++)
        {
            var key = other._keys[index];
            var source = other._parts[index];
            if (!_partByKey.TryGetValue(key, out var part))
            {
                part = NewPart(key);
                CopyPart(part, other, source);
                continue;
            }

            AddToPart(part, other._tokens.AsSpan(source.Offset, source.Count), other._counts.AsSpan(source.Offset, source.Count));
        }
    }

    /// <summary>
    /// Adds followers of <paramref name="key"/> in the given order, as that many <see cref="Add"/> calls would (same
    /// counts, same iteration order), in O(n log n) for large follower sets.
    /// </summary>
    internal void AddFollowers(NgramKey key, ReadOnlySpan<int> tokens, ReadOnlySpan<int> counts)
    {
        if (!_partByKey.TryGetValue(key, out var part))
        {
            part = NewPart(key);
        }

        AddToPart(part, tokens, counts);
    }

    /// <summary>True when both caches hold the same n-grams with the same follower counts (order ignored).</summary>
    public bool ContentEquals([NotNullWhen(true)] NgramCache? other)
    {
        if (other is null || other.Count != Count || other.FollowerPairs != FollowerPairs)
        {
            return false;
        }

        for (var index = 0; index < Count; index++)
        {
            if (!other.TryGetFollowers(_keys[index], out var theirs))
            {
                return false;
            }

            var ours = Followers(index);
            if (ours.Length != theirs.Length)
            {
                return false;
            }

            if (ours.Length > 64)
            {
                var counts = new Dictionary<int, int>(theirs.Length);
                for (var i = 0; i < theirs.Length; i++)
                {
                    counts[theirs.Tokens[i]] = theirs.Counts[i];
                }

                for (var i = 0; i < ours.Length; i++)
                {
                    if (counts.GetValueOrDefault(ours.Tokens[i]) != ours.Counts[i])
                    {
                        return false;
                    }
                }

                continue;
            }

            for (var i = 0; i < ours.Length; i++)
            {
                if (theirs.CountOf(ours.Tokens[i]) != ours.Counts[i])
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>Empties the cache, keeping its memory for reuse.</summary>
    public void Clear()
    {
        _partByKey.Clear();
        Count = 0;
        FollowerPairs = 0;
        MaxTokenId = -1;
        _arenaUsed = 0;
    }

    /// <summary>Reads a cache file written by llama.cpp (<c>llama-lookup-create</c>, <c>-lcs</c>/<c>-lcd</c>) or by <see cref="Save(string)"/>.</summary>
    /// <exception cref="LookupCacheFormatException">The file is truncated or holds an invalid record.</exception>
    public static NgramCache Load(string path) => NgramCacheFile.Read(path);

    /// <summary>Reads a cache from the rest of a seekable <paramref name="stream"/>; <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="LookupCacheFormatException">The data is truncated or holds an invalid record.</exception>
    public static NgramCache Load(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return NgramCacheFile.Read(stream, name);
    }

    /// <summary>Writes the cache in llama.cpp's format; the file is replaced only once completely written.</summary>
    public void Save(string path) => NgramCacheFile.Write(this, path);

    /// <summary>Writes the cache in llama.cpp's format to <paramref name="stream"/> (flushed, left open).</summary>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        NgramCacheFile.Write(this, stream);
    }

    private NgramFollowers Followers(int part)
    {
        var header = _parts[part];
        return new NgramFollowers(_tokens.AsSpan(header.Offset, header.Count), _counts.AsSpan(header.Offset, header.Count));
    }

    private int NewPart(NgramKey key)
    {
        if (Count == _parts.Length)
        {
            Array.Resize(ref _parts, _parts.Length * 2);
            Array.Resize(ref _keys, _keys.Length * 2);
        }

        var part = Count++;
        _keys[part] = key;
        _parts[part] = default;
        _partByKey.Add(key, part);
        MaxTokenId = Math.Max(MaxTokenId, Math.Max(Math.Max(key.Token0, key.Token1), Math.Max(key.Token2, key.Token3)));
        return part;
    }

    private void CopyPart(int part, NgramCache other, Part source)
    {
        Reserve(part, source.Count);
        ref var header = ref _parts[part];
        other._tokens.AsSpan(source.Offset, source.Count).CopyTo(_tokens.AsSpan(header.Offset));
        other._counts.AsSpan(source.Offset, source.Count).CopyTo(_counts.AsSpan(header.Offset));
        other._buckets.AsSpan(source.Offset, source.Count).CopyTo(_buckets.AsSpan(header.Offset));
        header.Count = source.Count;
        header.Level = source.Level;
        FollowerPairs += source.Count;
        foreach (var token in other._tokens.AsSpan(source.Offset, source.Count))
        {
            MaxTokenId = Math.Max(MaxTokenId, token);
        }
    }

    /// <summary>Above this many followers in one n-gram, adding many at once goes through <see cref="BulkFollowerInsert"/>.</summary>
    private const int BulkThreshold = 64;

    private void AddToPart(int part, ReadOnlySpan<int> tokens, ReadOnlySpan<int> counts)
    {
        var header = _parts[part];
        if (header.Count + tokens.Length <= BulkThreshold)
        {
            for (var i = 0; i < tokens.Length; i++)
            {
                AddToPart(part, tokens[i], counts[i]);
            }

            return;
        }

        var bulk = new BulkFollowerInsert(_tokens.AsSpan(header.Offset, header.Count), _counts.AsSpan(header.Offset, header.Count), header.Level, tokens.Length);
        for (var i = 0; i < tokens.Length; i++)
        {
            bulk.Add(tokens[i], counts[i]);
        }

        var added = bulk.Count - header.Count;
        Reserve(part, bulk.Count);
        ref var current = ref _parts[part];
        bulk.CopyTo(_tokens.AsSpan(current.Offset, bulk.Count), _counts.AsSpan(current.Offset, bulk.Count), _buckets.AsSpan(current.Offset, bulk.Count));
        current.Count = bulk.Count;
        current.Level = bulk.Level;
        FollowerPairs += added;
        foreach (var token in tokens)
        {
            MaxTokenId = Math.Max(MaxTokenId, token);
        }
    }

    private void AddToPart(int part, int token, int count)
    {
        var header = _parts[part];
        var existing = _tokens.AsSpan(header.Offset, header.Count).IndexOf(token);
        if (existing >= 0)
        {
            _counts[header.Offset + existing] = SaturatingCount.Add(_counts[header.Offset + existing], count);
            return;
        }

        if (LibstdcxxBucketOrder.NeedsRehash(header.Count, header.Level))
        {
            Rehash(part);
        }

        Reserve(part, header.Count + 1);
        ref var current = ref _parts[part];
        var bucket = LibstdcxxBucketOrder.BucketOf(token, LibstdcxxBucketOrder.BucketCount(current.Level));
        var position = LibstdcxxBucketOrder.InsertPosition(_buckets.AsSpan(current.Offset, current.Count), bucket);
        InsertAt(current.Offset, current.Count, position, token, count, bucket);
        current.Count++;
        FollowerPairs++;
        MaxTokenId = Math.Max(MaxTokenId, token);
    }

    /// <summary>Grows the part to the next bucket count, re-inserting its followers in their current order.</summary>
    private void Rehash(int part)
    {
        ref var header = ref _parts[part];
        header.Level++;
        var bucketCount = LibstdcxxBucketOrder.BucketCount(header.Level);
        var count = header.Count;
        EnsureScratch(count);
        var tokens = _tokens.AsSpan(header.Offset, count);
        var counts = _counts.AsSpan(header.Offset, count);
        for (var i = 0; i < count; i++)
        {
            var bucket = LibstdcxxBucketOrder.BucketOf(tokens[i], bucketCount);
            var position = LibstdcxxBucketOrder.InsertPosition(_scratchBuckets.AsSpan(0, i), bucket);
            Shift(_scratchTokens, position, i);
            Shift(_scratchCounts, position, i);
            Shift(_scratchBuckets, position, i);
            _scratchTokens[position] = tokens[i];
            _scratchCounts[position] = counts[i];
            _scratchBuckets[position] = bucket;
        }

        _scratchTokens.AsSpan(0, count).CopyTo(tokens);
        _scratchCounts.AsSpan(0, count).CopyTo(counts);
        _scratchBuckets.AsSpan(0, count).CopyTo(_buckets.AsSpan(header.Offset, count));
    }

    private void InsertAt(int offset, int count, int position, int token, int followerCount, int bucket)
    {
        Shift(_tokens, offset + position, offset + count);
        Shift(_counts, offset + position, offset + count);
        Shift(_buckets, offset + position, offset + count);
        _tokens[offset + position] = token;
        _counts[offset + position] = followerCount;
        _buckets[offset + position] = bucket;
    }

    /// <summary>Moves <c>array[from..end)</c> one slot right.</summary>
    private static void Shift(int[] array, int from, int end)
    {
        if (end > from)
        {
            Array.Copy(array, from, array, from + 1, end - from);
        }
    }

    /// <summary>Makes room for <paramref name="capacity"/> followers in the part, moving it to the arena's end if needed.</summary>
    private void Reserve(int part, int capacity)
    {
        ref var header = ref _parts[part];
        if (capacity <= header.Capacity)
        {
            return;
        }

        var newCapacity = Math.Max(capacity, header.Capacity == 0 ? 1 : header.Capacity * 2);
        if (_arenaUsed + newCapacity > _tokens.Length)
        {
            var size = Math.Max(_tokens.Length * 2, _arenaUsed + newCapacity);
            Array.Resize(ref _tokens, size);
            Array.Resize(ref _counts, size);
            Array.Resize(ref _buckets, size);
        }

        // Parts are appended at the arena's end; the old slots are abandoned (at most half of the arena).
        Array.Copy(_tokens, header.Offset, _tokens, _arenaUsed, header.Count);
        Array.Copy(_counts, header.Offset, _counts, _arenaUsed, header.Count);
        Array.Copy(_buckets, header.Offset, _buckets, _arenaUsed, header.Count);
        header.Offset = _arenaUsed;
        header.Capacity = newCapacity;
        _arenaUsed += newCapacity;
    }

    private void EnsureScratch(int count)
    {
        if (count > _scratchTokens.Length)
        {
            var size = Math.Max(count, _scratchTokens.Length * 2);
            _scratchTokens = new int[size];
            _scratchCounts = new int[size];
            _scratchBuckets = new int[size];
        }
    }

    /// <summary>Where one n-gram's followers live in the arena, and its bucket level.</summary>
    private struct Part
    {
        public int Offset;
        public int Capacity;
        public int Count;
        public int Level;
    }
}
