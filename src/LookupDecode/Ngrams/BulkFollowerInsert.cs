namespace LookupDecode.Ngrams;

/// <summary>
/// Inserts many followers into one n-gram's follower map at once, ending in exactly the iteration order that
/// inserting them one by one would (<see cref="LibstdcxxBucketOrder"/>), in O(n log n) instead of O(n²).
/// The order is a function of two stamps: a bucket's keys are contiguous, buckets appear newest first, and within a
/// bucket keys appear newest first. So each key carries the time it was (re)inserted and each bucket the time it
/// was first filled; a rehash sorts by those stamps and re-inserts in that order with fresh stamps, as libstdc++ does.
/// </summary>
internal sealed class BulkFollowerInsert
{
    private readonly Dictionary<int, int> _slotOfToken;
    private int[] _tokens;
    private int[] _counts;
    private int[] _stamps;
    private int[] _bucketFilled = [];
    private int _size;
    private int _clock;

    /// <summary>Starts from a map holding <paramref name="tokens"/> in iteration order at bucket <paramref name="level"/>.</summary>
    public BulkFollowerInsert(ReadOnlySpan<int> tokens, ReadOnlySpan<int> counts, int level, int expectedAdditions)
    {
        var capacity = tokens.Length + Math.Max(expectedAdditions, 0);
        _slotOfToken = new Dictionary<int, int>(capacity);
        _tokens = new int[Math.Max(capacity, 1)];
        _counts = new int[_tokens.Length];
        _stamps = new int[_tokens.Length];
        Level = level;
        ResetBuckets();

        // Stamps that reproduce the given order: walking it backwards, later keys get earlier stamps.
        for (var i = tokens.Length - 1; i >= 0; i--)
        {
            _slotOfToken.Add(tokens[i], _size);
            Place(_size++, tokens[i], counts[i]);
        }
    }

    /// <summary>The map's bucket level after the inserts.</summary>
    public int Level { get; private set; }

    /// <summary>Distinct followers.</summary>
    public int Count => _size;

    /// <summary>Adds <paramref name="count"/> sightings of <paramref name="token"/> (counts saturate at <see cref="int.MaxValue"/>).</summary>
    public void Add(int token, int count)
    {
        if (_slotOfToken.TryGetValue(token, out var slot))
        {
            _counts[slot] = SaturatingCount.Add(_counts[slot], count);
            return;
        }

        if (LibstdcxxBucketOrder.NeedsRehash(_size, Level))
        {
            Rehash();
        }

        if (_size == _tokens.Length)
        {
            Array.Resize(ref _tokens, _size * 2);
            Array.Resize(ref _counts, _size * 2);
            Array.Resize(ref _stamps, _size * 2);
        }

        _slotOfToken.Add(token, _size);
        Place(_size++, token, count);
    }

    /// <summary>Writes the followers in iteration order, with their buckets at <see cref="Level"/>.</summary>
    public void CopyTo(Span<int> tokens, Span<int> counts, Span<int> buckets)
    {
        var order = Order();
        var bucketCount = LibstdcxxBucketOrder.BucketCount(Level);
        for (var i = 0; i < order.Length; i++)
        {
            var slot = order[i];
            tokens[i] = _tokens[slot];
            counts[i] = _counts[slot];
            buckets[i] = LibstdcxxBucketOrder.BucketOf(_tokens[slot], bucketCount);
        }
    }

    private void Place(int slot, int token, int count)
    {
        _tokens[slot] = token;
        _counts[slot] = count;
        _stamps[slot] = _clock;
        ref var filled = ref _bucketFilled[LibstdcxxBucketOrder.BucketOf(token, _bucketFilled.Length)];
        if (filled < 0)
        {
            filled = _clock;
        }

        _clock++;
    }

    private void Rehash()
    {
        var order = Order();
        Level++;
        ResetBuckets();
        _clock = 0;
        foreach (var slot in order)
        {
            Place(slot, _tokens[slot], _counts[slot]);
        }
    }

    /// <summary>Slots in iteration order: newest bucket first, newest key first within a bucket.</summary>
    private int[] Order()
    {
        var keys = new long[_size];
        var slots = new int[_size];
        var bucketCount = _bucketFilled.Length;
        for (var slot = 0; slot < _size; slot++)
        {
            var filled = _bucketFilled[LibstdcxxBucketOrder.BucketOf(_tokens[slot], bucketCount)];
            keys[slot] = -(((long)filled << 32) | (uint)_stamps[slot]);
            slots[slot] = slot;
        }

        Array.Sort(keys, slots);
        return slots;
    }

    private void ResetBuckets()
    {
        var bucketCount = LibstdcxxBucketOrder.BucketCount(Level);
        if (_bucketFilled.Length != bucketCount)
        {
            _bucketFilled = new int[bucketCount];
        }

        Array.Fill(_bucketFilled, -1);
    }
}
