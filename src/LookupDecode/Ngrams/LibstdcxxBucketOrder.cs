namespace LookupDecode.Ngrams;

/// <summary>
/// The iteration order of libstdc++'s (GCC 11+) <c>std::unordered_map&lt;int, int&gt;</c>, which llama.cpp's lookup
/// uses for an n-gram's followers and whose order decides score ties (the first maximum wins). Rules, all
/// observable from outside the library (tests/…/Ngrams/Data/libstdcxx-order.cpp records them):
/// a key's bucket is <c>(size_t)key % bucketCount</c>; a key whose bucket already holds keys goes in front of
/// that bucket's keys, otherwise in front of the whole list; the first insert makes 13 buckets, and an insert
/// that would make the element count exceed the bucket count first rehashes to the next size of
/// <see cref="BucketCounts"/> (the first prime of libstdc++'s list at least twice the current count), re-inserting the existing keys in their current order by the same rule. A copy
/// keeps the order and bucket count.
/// </summary>
internal static class LibstdcxxBucketOrder
{
    /// <summary>Bucket counts libstdc++ grows an <c>unordered_map</c> through, from the first insert on.</summary>
    public static readonly int[] BucketCounts =
    [
        13, 29, 59, 127, 257, 541, 1109, 2357, 5087, 10273, 20753, 42043, 85229, 172933, 351061, 712697, 1447153, 2938679,
        5967347, 12117689, 24607243, 49969847, 101473717, 206062531, 418451333, 849749479, 1725587117,
    ];

    /// <summary>The highest level: past it the map stops growing (more followers than an int-indexed cache holds).</summary>
    public static int MaxLevel => BucketCounts.Length;

    /// <summary>Bucket count at <paramref name="level"/> (1 = first insert); level 0 is an empty map.</summary>
    public static int BucketCount(int level) => level == 0 ? 1 : BucketCounts[level - 1];

    /// <summary>Bucket of <paramref name="token"/> among <paramref name="bucketCount"/> (std::hash&lt;int&gt; is the identity).</summary>
    public static int BucketOf(int token, int bucketCount) => (int)((ulong)(long)token % (ulong)bucketCount);

    /// <summary>Whether inserting one more key into a map of <paramref name="count"/> keys at <paramref name="level"/> rehashes first.</summary>
    public static bool NeedsRehash(int count, int level) => level == 0 || (level < MaxLevel && count + 1 > BucketCount(level));

    /// <summary>
    /// Position where a key of bucket <paramref name="bucket"/> is inserted, given the buckets of the keys already
    /// there in iteration order: in front of the first key of the same bucket, else at the front.
    /// </summary>
    public static int InsertPosition(ReadOnlySpan<int> bucketsInOrder, int bucket)
    {
        var position = bucketsInOrder.IndexOf(bucket);
        return position < 0 ? 0 : position;
    }
}
