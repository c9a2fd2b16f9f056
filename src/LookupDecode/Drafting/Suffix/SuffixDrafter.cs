namespace LookupDecode.Drafting.Suffix;

/// <summary>
/// Suffix drafting (after SuffixDecoding, arXiv 2411.04975): the prompt and everything generated so far — and, with a
/// <see cref="SuffixMemory"/>, earlier outputs of the process — are indexed so that the longest earlier match of the
/// text's ending is found in O(1) per n-gram size; among the newest occurrences of that match the continuation is chosen
/// token by token by majority (ties to the most recent), and the draft stops where the occurrences stop agreeing. Each
/// drafted token's evidence class is the copy streak, the match length, the agreement behind it, its place in a word
/// (when the vocabulary's <see cref="Text.TokenKinds"/> are known) and its position, which adaptive drafting turns into
/// learned acceptance. Allocation-free per step.
/// </summary>
public sealed partial class SuffixDrafter : IScoredDraftSource, Trees.ITreeDraftSource
{
    private const int MaxCandidates = 32;
    private const int MatchBins = EvidenceBins.MatchBins;
    private const int ShareBins = 3;
    private const int PositionBins = EvidenceBins.PositionBins;
    private const int StreakBins = 4;
    private const int KindBins = Text.TokenKinds.Count;

    private readonly SuffixIndex _history = new(256);
    private readonly SuffixMemory? _memory;
    private readonly Func<int, bool> _isEndOfGeneration;
    private readonly SuffixDrafterOptions _options;
    private readonly Text.TokenKinds? _kinds;
    private readonly int[] _ends = new int[2 * MaxCandidates];
    private readonly int[] _lengths = new int[2 * MaxCandidates];
    private readonly bool[] _inMemory = new bool[2 * MaxCandidates];
    private readonly bool[] _alive = new bool[2 * MaxCandidates];
    private readonly int[] _tallyTokens = new int[2 * MaxCandidates];
    private readonly double[] _tallyWeights = new double[2 * MaxCandidates];
    private readonly int[] _tallyNewest = new int[2 * MaxCandidates];
    private int _promptLength;

    /// <summary>Creates the drafter.</summary>
    /// <param name="options">Agreement floor and draft stopping rules.</param>
    /// <param name="isEndOfGeneration">Tells which tokens end generation; drafts stop before them.</param>
    /// <param name="memory">Earlier outputs to draft from too, and to add this generation's output to; null for none.</param>
    public SuffixDrafter(SuffixDrafterOptions options, Func<int, bool> isEndOfGeneration, SuffixMemory? memory = null)
        : this(options, isEndOfGeneration, memory, null)
    {
    }

    /// <summary>Creates the drafter; <paramref name="kinds"/> (each token's place in a word) joins each drafted token's evidence.</summary>
    internal SuffixDrafter(SuffixDrafterOptions options, Func<int, bool> isEndOfGeneration, SuffixMemory? memory, Text.TokenKinds? kinds)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(isEndOfGeneration);
        options.Validate();
        _options = options;
        _isEndOfGeneration = isEndOfGeneration;
        _memory = memory;
        _kinds = kinds;
    }

    /// <inheritdoc />
    public string Name => "suffix";

    /// <inheritdoc />
    public void Begin(ReadOnlySpan<int> prompt)
    {
        _history.Clear();
        _history.AppendRange(prompt);
        _promptLength = prompt.Length;
        _streak = 0;
    }

    /// <inheritdoc />
    public void Observe(ReadOnlySpan<int> history) => _history.Append(history[^1]);

    /// <inheritdoc />
    public int EvidenceClassCount => StreakBins * MatchBins * ShareBins * KindBins * PositionBins;

    /// <inheritdoc />
    public double PriorAcceptance(int evidenceClass)
    {
        var streakBin = evidenceClass / (MatchBins * ShareBins * KindBins * PositionBins);
        var matchBin = evidenceClass / (ShareBins * KindBins * PositionBins) % MatchBins;
        var shareBin = evidenceClass / (KindBins * PositionBins) % ShareBins;
        var kind = (Text.TokenKind)(evidenceClass / PositionBins % KindBins);
        var position = evidenceClass % PositionBins;
        var prior = Math.Min(0.95, 0.15 + (0.1 * matchBin) + (0.1 * streakBin)) * (0.6 + (0.2 * shareBin)) * Math.Pow(0.85, position);

        // The rest of a word follows its start far more often than the next word follows (see TokenKinds).
        return Math.Min(0.97, prior * kind switch { Text.TokenKind.Continuation => 1.15, Text.TokenKind.WordStart => 0.92, _ => 1.0 });
    }

    /// <summary>
    /// Tokens in a row this drafter predicted (its proposals confirmed by what was emitted), reset by a miss: a copying
    /// run (a summary quoting its document, code repeated with edits) predicts its own continuation.
    /// </summary>
    private int _streak;

    /// <inheritdoc />
    public void Verified(in DraftOutcome outcome)
    {
        if (outcome.Proposed.IsEmpty)
        {
            return;
        }

        var confirmed = outcome.Proposed.CommonPrefixLength(outcome.Emitted);
        _streak = confirmed == 0 ? 0 : Math.Min(_streak + confirmed, 1 << 20);
    }

    /// <inheritdoc />
    public int Propose(ReadOnlySpan<int> history, Span<int> draft) => Propose(history, draft, Span<int>.Empty);

    /// <inheritdoc />
    public int Propose(ReadOnlySpan<int> history, Span<int> draft, Span<int> evidence)
    {
        if (history.IsEmpty || draft.IsEmpty)
        {
            return 0;
        }

        var own = _history.FindMatches(history, _ends.AsSpan(0, MaxCandidates), _lengths.AsSpan(0, MaxCandidates));
        if (_memory is null)
        {
            return Continue(own, draft, evidence, null);
        }

        lock (_memory.Gate)
        {
            var remembered = _memory.Index.FindMatches(history, _ends.AsSpan(own, MaxCandidates), _lengths.AsSpan(own, MaxCandidates));
            return Continue(own + remembered, draft, evidence, _memory.Index, own);
        }
    }

    /// <inheritdoc />
    public void End(ReadOnlySpan<int> history) => _memory?.Add(history[Math.Min(_promptLength, history.Length)..]);

    /// <summary>Votes the continuation of the candidates with the longest match, token by token.</summary>
    private int Continue(int candidates, Span<int> draft, Span<int> evidence, SuffixIndex? memory, int firstInMemory = int.MaxValue)
    {
        if (candidates == 0)
        {
            return 0;
        }

        var longest = 0;
        for (var i = 0; i < candidates; i++)
        {
            longest = Math.Max(longest, _lengths[i]);
        }

        // The request's own text outranks memory: earlier outputs vote only with a strictly longer match.
        var ownLongest = 0;
        for (var i = 0; i < Math.Min(candidates, firstInMemory); i++)
        {
            ownLongest = Math.Max(ownLongest, _lengths[i]);
        }

        var alive = 0;
        var keep = Math.Max(1, longest - _options.MatchSlack);
        for (var i = 0; i < candidates; i++)
        {
            _inMemory[i] = i >= firstInMemory;
            _alive[i] = _lengths[i] >= keep && (!_inMemory[i] || _lengths[i] > ownLongest);
            alive += _alive[i] ? 1 : 0;
        }

        var limit = Math.Min(draft.Length, Math.Max(_options.MinLength, (int)Math.Ceiling(_options.LengthPerMatchToken * longest)));
        var matchBin = (StreakBin(_streak) * MatchBins) + EvidenceBins.MatchBin(longest);
        var count = 0;
        while (count < limit && alive > 0)
        {
            var distinct = 0;
            var total = 0.0;
            for (var i = 0; i < candidates; i++)
            {
                if (!_alive[i])
                {
                    continue;
                }

                var token = _inMemory[i] ? memory!.At(_ends[i] + count) : _history.At(_ends[i] + count);
                if (token == SuffixIndex.Separator)
                {
                    _alive[i] = false;
                    alive--;
                    continue;
                }

                var weight = 1.0 + (_options.LengthWeight * (_lengths[i] - keep));
                total += weight;
                var slot = Array.IndexOf(_tallyTokens, token, 0, distinct);
                if (slot < 0)
                {
                    slot = distinct++;
                    _tallyTokens[slot] = token;
                    _tallyWeights[slot] = 0;
                    _tallyNewest[slot] = -1;
                }

                _tallyWeights[slot] += weight;
                var recency = _inMemory[i] ? -1 : _ends[i];
                _tallyNewest[slot] = Math.Max(_tallyNewest[slot], recency);
            }

            if (distinct == 0)
            {
                break;
            }

            var best = 0;
            for (var slot = 1; slot < distinct; slot++)
            {
                if (_tallyWeights[slot] > _tallyWeights[best] || (_tallyWeights[slot] == _tallyWeights[best] && _tallyNewest[slot] > _tallyNewest[best]))
                {
                    best = slot;
                }
            }

            var share = _tallyWeights[best] / total;
            var winner = _tallyTokens[best];
            if ((count > 0 && share < _options.MinShare) || _isEndOfGeneration(winner))
            {
                break;
            }

            draft[count] = winner;
            if (!evidence.IsEmpty)
            {
                var kind = (int)(_kinds?.Of(winner) ?? Text.TokenKind.Other);
                evidence[count] = (((((matchBin * ShareBins) + ShareBin(share)) * KindBins) + kind) * PositionBins) + EvidenceBins.PositionBin(count);
            }

            count++;
            for (var i = 0; i < candidates; i++)
            {
                if (_alive[i] && (_inMemory[i] ? memory!.At(_ends[i] + count - 1) : _history.At(_ends[i] + count - 1)) != winner)
                {
                    _alive[i] = false;
                    alive--;
                }
            }
        }

        return count;
    }

    /// <summary>Tokens predicted in a row: none, 1-3, 4-15, 16+.</summary>
    private static int StreakBin(int streak) => streak switch { 0 => 0, < 4 => 1, < 16 => 2, _ => 3 };

    /// <summary>Agreement behind a token: under 1/2, under 4/5, at least 4/5.</summary>
    private static int ShareBin(double share) => share < 0.5 ? 0 : share < 0.8 ? 1 : 2;
}
