namespace LookupDecode.Ngrams;

/// <summary>
/// Follower counts stop at <see cref="int.MaxValue"/> instead of wrapping: llama.cpp's format stores them as int32,
/// and a wrapped (negative) count would make the next load refuse the whole cache.
/// </summary>
internal static class SaturatingCount
{
    public static int Add(int count, int more) => (int)Math.Min((long)count + more, int.MaxValue);
}
