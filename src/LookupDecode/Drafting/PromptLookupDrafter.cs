namespace LookupDecode.Drafting;

/// <summary>
/// Hugging Face prompt lookup (<c>prompt_lookup_num_tokens</c>, <c>max_matching_ngram_size</c>): find an earlier
/// occurrence of the last n tokens of the prompt + generated text, trying the longest n first, and propose the
/// tokens that followed it, cut before the first end-of-generation token. The occurrence is the earliest (as
/// Hugging Face and vLLM) or the most recent (as llama.cpp's ngram-simple), by option.
/// </summary>
/// <remarks>
/// Search is O(max n-gram size) per step, independent of the history length: an index maps every n-gram to
/// its first and latest end position and is updated as tokens arrive, instead of rescanning the history.
/// The index lags one token behind, so the suffix itself (which has no continuation yet) is never a match —
/// exactly Hugging Face's rule of skipping a match with nothing after it.
/// </remarks>
public sealed class PromptLookupDrafter : IScoredDraftSource
{
    private readonly PromptLookupOptions _options;
    private readonly Func<int, bool> _isEndOfGeneration;
    private readonly Dictionary<PromptNgram, Occurrence>[] _index;

    /// <summary>Creates the drafter.</summary>
    /// <param name="options">N-gram sizes and match preference.</param>
    /// <param name="isEndOfGeneration">Tells which tokens end generation; drafts stop before them.</param>
    public PromptLookupDrafter(PromptLookupOptions options, Func<int, bool> isEndOfGeneration)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(isEndOfGeneration);
        options.Validate();
        _options = options;
        _isEndOfGeneration = isEndOfGeneration;
        _index = new Dictionary<PromptNgram, Occurrence>[options.MaxNgramSize + 1];
        for (var size = options.MinNgramSize; size <= options.MaxNgramSize; size++)
        {
            _index[size] = new Dictionary<PromptNgram, Occurrence>(1024);
        }
    }

    /// <inheritdoc />
    public string Name => "prompt-lookup";

    /// <inheritdoc />
    public void Begin(ReadOnlySpan<int> prompt)
    {
        for (var size = _options.MinNgramSize; size <= _options.MaxNgramSize; size++)
        {
            _index[size].Clear();
            _index[size].EnsureCapacity(prompt.Length);
        }

        // Every n-gram that ends before the last prompt token has a continuation inside the prompt.
        for (var end = 1; end < prompt.Length; end++)
        {
            IndexNgramsEndingAt(prompt, end);
        }
    }

    /// <inheritdoc />
    public void Observe(ReadOnlySpan<int> history) => IndexNgramsEndingAt(history, history.Length - 1);

    /// <inheritdoc />
    public int EvidenceClassCount => MatchBins * PositionBins;

    /// <inheritdoc />
    public double PriorAcceptance(int evidenceClass)
    {
        var matchBin = evidenceClass / PositionBins;
        var position = evidenceClass % PositionBins;
        return Math.Min(0.9, 0.15 + (0.1 * matchBin)) * Math.Pow(0.85, position);
    }

    /// <inheritdoc />
    public int Propose(ReadOnlySpan<int> history, Span<int> draft) => Propose(history, draft, Span<int>.Empty);

    /// <inheritdoc />
    public int Propose(ReadOnlySpan<int> history, Span<int> draft, Span<int> evidence)
    {
        var longest = Math.Min(_options.MaxNgramSize, history.Length - 1);
        for (var size = longest; size >= _options.MinNgramSize; size--)
        {
            if (!_index[size].TryGetValue(new PromptNgram(history[^size..]), out var occurrence))
            {
                continue;
            }

            var start = _options.Match == PromptLookupMatch.Earliest ? occurrence.FirstEnd : occurrence.LastEnd;
            var available = Math.Min(draft.Length, history.Length - start);
            var matchBin = evidence.IsEmpty ? 0 : EvidenceBins.MatchBin(MatchLength(history, start, size));
            var count = 0;
            while (count < available && !_isEndOfGeneration(history[start + count]))
            {
                draft[count] = history[start + count];
                if (!evidence.IsEmpty)
                {
                    evidence[count] = (matchBin * PositionBins) + EvidenceBins.PositionBin(count);
                }

                count++;
            }

            // As Hugging Face: a match was found, so shorter n-grams are not tried even if the draft came out empty.
            return count;
        }

        return 0;
    }

    /// <inheritdoc />
    public void End(ReadOnlySpan<int> history)
    {
    }

    private const int PositionBins = EvidenceBins.PositionBins;
    private const int MatchBins = EvidenceBins.MatchBins;
    private const int LongestMatchMeasured = 32;

    /// <summary>
    /// How long the match really is: the n-gram, extended backwards while the tokens before the occurrence equal the tokens
    /// before the suffix (at most <see cref="LongestMatchMeasured"/>). A continuation of a long match (a copied passage) is
    /// far likelier to be right than one of a three-token coincidence; the evidence class carries it. O(match) per draft.
    /// </summary>
    private static int MatchLength(ReadOnlySpan<int> history, int continuationStart, int size)
    {
        var length = size;
        while (length < LongestMatchMeasured && continuationStart - length - 1 >= 0
               && history[continuationStart - length - 1] == history[history.Length - length - 1])
        {
            length++;
        }

        return length;
    }

    /// <summary>Records the n-grams ending just before <paramref name="end"/>, whose continuation starts at <paramref name="end"/>.</summary>
    private void IndexNgramsEndingAt(ReadOnlySpan<int> tokens, int end)
    {
        for (var size = _options.MinNgramSize; size <= _options.MaxNgramSize && size <= end; size++)
        {
            var key = new PromptNgram(tokens.Slice(end - size, size));
            var index = _index[size];
            index[key] = index.TryGetValue(key, out var seen) ? seen with { LastEnd = end } : new Occurrence(end, end);
        }
    }

    /// <summary>End positions (exclusive) of an n-gram's first and latest occurrences.</summary>
    private readonly record struct Occurrence(int FirstEnd, int LastEnd);
}
