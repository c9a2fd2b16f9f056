namespace LookupDecode.Ngrams;

/// <summary>Builds static caches as upstream <c>llama-lookup-create</c> does: every 2-gram of the corpus and its followers.</summary>
public static class StaticCacheBuilder
{
    /// <summary>The static cache of <paramref name="corpusTokens"/> (tokenized with BOS, as upstream does).</summary>
    public static NgramCache Build(ReadOnlySpan<int> corpusTokens)
    {
        var cache = new NgramCache(Math.Max(corpusTokens.Length, 16));
        cache.Update(corpusTokens, corpusTokens.Length, NgramCache.StaticNgramSize, NgramCache.StaticNgramSize);
        return cache;
    }
}
