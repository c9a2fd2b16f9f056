using LookupDecode.Ngrams;

namespace LookupDecode.Drafting;

/// <summary>
/// llama.cpp's lookup drafter (<c>common_ngram_cache_draft</c>, <c>examples/lookup</c>), mirrored exactly: a context
/// cache built from this generation's tokens (lax thresholds), a dynamic cache carried across generations (strict
/// thresholds) and a static 2-gram cache from a corpus (boosts candidates it agrees with ×100, and drafts alone as
/// a last resort). Each drafted token extends the sequence the next one is looked up from. Ties between equally
/// scored candidates go to the first in the follower order llama.cpp's <c>std::unordered_map</c> has (see
/// <see cref="LibstdcxxBucketOrder"/>), so drafts, <c>n_drafted</c> and <c>n_accept</c> match upstream.
/// </summary>
/// <remarks>
/// At <see cref="End"/> the context cache is merged into the dynamic cache (which is therefore updated in place
/// when one is given), as upstream does; writing the dynamic cache to its file is left to whoever owns it.
/// </remarks>
public sealed class NgramCacheDrafter : IScoredDraftSource
{
    private readonly NgramCache _context = new(4096);
    private readonly NgramCache? _static;
    private readonly NgramCache? _dynamic;

    /// <summary>Creates a drafter over the given caches (each optional).</summary>
    /// <param name="staticCache">Read-only 2-gram statistics of a corpus (<c>llama-lookup-create</c>, <c>-lcs</c>).</param>
    /// <param name="dynamicCache">Statistics of earlier generations (<c>-lcd</c>); this generation is merged into it at the end.</param>
    public NgramCacheDrafter(NgramCache? staticCache = null, NgramCache? dynamicCache = null)
    {
        _static = staticCache;
        _dynamic = dynamicCache;
    }

    /// <inheritdoc />
    public string Name => "lookup";

    /// <summary>The n-grams of the current generation (prompt and generated tokens).</summary>
    public NgramCache ContextCache => _context;

    /// <summary>The dynamic cache this drafter reads and updates, if any.</summary>
    public NgramCache? DynamicCache => _dynamic;

    /// <inheritdoc />
    public void Begin(ReadOnlySpan<int> prompt)
    {
        _context.Clear();
        _context.Update(prompt, prompt.Length);
    }

    /// <inheritdoc />
    public void Observe(ReadOnlySpan<int> history) => _context.Update(history, 1);

    /// <inheritdoc />
    public int EvidenceClassCount => LookupEvidence.ClassCount;

    /// <inheritdoc />
    public double PriorAcceptance(int evidenceClass) => LookupEvidence.Prior(evidenceClass);

    /// <inheritdoc />
    public int Propose(ReadOnlySpan<int> history, Span<int> draft) => Propose(history, draft, Span<int>.Empty);

    /// <inheritdoc />
    public int Propose(ReadOnlySpan<int> history, Span<int> draft, Span<int> evidence)
    {
        if (history.Length < NgramCache.StaticNgramSize)
        {
            return 0;
        }

        var drafted = 0;
        while (drafted < draft.Length)
        {
            var sequence = new DraftSequence(history, draft[..drafted]);
            var staticKey = sequence.KeyEndingAtEnd(NgramCache.StaticNgramSize);
            NgramFollowers staticFollowers = default;
            var hasStatic = _static is not null && _static.TryGetFollowers(staticKey, out staticFollowers);
            if (!hasStatic)
            {
                staticFollowers = default;
            }

            var found = TryPrimary(_context, sequence, staticFollowers, LookupThresholds.LaxMinSamples, LookupThresholds.LaxMinPercent);
            var source = LookupEvidence.Context;
            if (found.Token < 0 && _dynamic is not null)
            {
                found = TryPrimary(_dynamic, sequence, staticFollowers, LookupThresholds.StrictMinSamples, LookupThresholds.StrictMinPercent);
                source = LookupEvidence.Dynamic;
            }

            if (found.Token < 0 && hasStatic)
            {
                found = TryStaticOnly(staticFollowers);
                source = LookupEvidence.Static;
            }

            if (found.Token < 0)
            {
                break;
            }

            if (!evidence.IsEmpty)
            {
                evidence[drafted] = LookupEvidence.Classify(source, found.NgramSize, found.Count, found.Total);
            }

            draft[drafted++] = found.Token;
        }

        return drafted;
    }

    /// <inheritdoc />
    public void End(ReadOnlySpan<int> history)
    {
        if (_dynamic is null)
        {
            return;
        }

        _dynamic.Merge(_context);
    }

    /// <summary>Longest n-gram first; the first whose best follower passes the thresholds wins.</summary>
    private static Candidate TryPrimary(NgramCache cache, DraftSequence sequence, NgramFollowers staticFollowers, ReadOnlySpan<int> minSamples, ReadOnlySpan<int> minPercent)
    {
        for (var size = NgramCache.MaxNgramSize; size >= NgramCache.MinNgramSize; size--)
        {
            if (size > sequence.Length || !cache.TryGetFollowers(sequence.KeyEndingAtEnd(size), out var followers))
            {
                continue;
            }

            long bestCount = 0;
            long bestWeight = 0;
            long total = 0;
            var bestToken = -1;
            for (var i = 0; i < followers.Length; i++)
            {
                var count = followers.Counts[i];
                var staticCount = staticFollowers.CountOf(followers.Tokens[i]);
                long weight = staticCount > 0 ? 100L * staticCount : 1;
                if (count * weight > bestCount * bestWeight)
                {
                    bestToken = followers.Tokens[i];
                    bestCount = count;
                    bestWeight = weight;
                }

                total += count;
            }

            if (LookupThresholds.Passes(bestCount, total, minSamples[size - 1], minPercent[size - 1]))
            {
                return new Candidate(bestToken, size, bestCount, total);
            }
        }

        return Candidate.None;
    }

    private static Candidate TryStaticOnly(NgramFollowers followers)
    {
        long bestCount = 0;
        long total = 0;
        var bestToken = -1;
        for (var i = 0; i < followers.Length; i++)
        {
            if (followers.Counts[i] > bestCount)
            {
                bestToken = followers.Tokens[i];
                bestCount = followers.Counts[i];
            }

            total += followers.Counts[i];
        }

        var index = NgramCache.StaticNgramSize - 1;
        return LookupThresholds.Passes(bestCount, total, LookupThresholds.LaxMinSamples[index], LookupThresholds.LaxMinPercent[index])
            ? new Candidate(bestToken, NgramCache.StaticNgramSize, bestCount, total)
            : Candidate.None;
    }

    /// <summary>A drafted token and the evidence it won with.</summary>
    private readonly record struct Candidate(int Token, int NgramSize, long Count, long Total)
    {
        public static Candidate None => new(-1, 0, 0, 0);
    }
}
