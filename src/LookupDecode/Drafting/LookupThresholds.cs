namespace LookupDecode.Drafting;

/// <summary>
/// Minimum evidence for llama.cpp's lookup to draft a token from an n-gram of size n (index n - 1):
/// total follower samples and the winner's share in percent (<c>common/ngram-cache.cpp</c>). The context cache
/// uses the lax set, the dynamic cache the strict one, the static cache alone the lax 2-gram entry.
/// </summary>
internal static class LookupThresholds
{
    public static ReadOnlySpan<int> LaxMinSamples => [2, 2, 1, 1];

    public static ReadOnlySpan<int> LaxMinPercent => [66, 50, 50, 50];

    public static ReadOnlySpan<int> StrictMinSamples => [4, 3, 2, 2];

    public static ReadOnlySpan<int> StrictMinPercent => [75, 66, 66, 66];

    /// <summary>Whether a winner with <paramref name="winnerCount"/> of <paramref name="totalCount"/> samples passes.</summary>
    public static bool Passes(long winnerCount, long totalCount, int minSamples, int minPercent)
        => totalCount >= minSamples && 100 * winnerCount >= minPercent * totalCount;
}
