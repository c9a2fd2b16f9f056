using LookupDecode.Models;
using LookupDecode.Native;

namespace LookupDecode.Drafting.DraftModel;

/// <summary>
/// Speculative decoding with a small draft model: a context of the draft model follows the target's history; each step
/// it drafts greedily, token by token, until its own top probability falls below its floor
/// (<see cref="DraftModelOptions.FloorFor"/>; none under adaptive planning unless one is set), or the draft is full, or an
/// end-of-generation token comes. Its KV cache is kept in step with what the target emitted: before drafting, everything
/// past the longest common prefix of what it holds and the history is removed (checked) and the missing history decoded.
/// Each drafted token's evidence class is the draft model's logit margin (its top token's logit over the runner-up's) and
/// the token's position, so adaptive drafting learns how far to trust it: a target disagrees with its draft model where
/// the draft's top two candidates are close, whatever the top probability (on the stories260K pair, a margin under 0.25
/// is accepted 33–61% of the time, one over 3 always). Owns its context; disposed with the generation.
/// </summary>
public sealed class DraftModelDrafter : IScoredDraftSource, IDecodingDraftSource
{
    private const int PositionBins = EvidenceBins.PositionBins;

    // Upper edges of the logit-margin bins (the last bin is open): finest where acceptance changes fastest.
    private static readonly double[] MarginEdges = [0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4.5];

    private readonly LlamaModel _model;
    private readonly NativeContext _context;
    private readonly double _floor;
    private readonly int _vocabularySize;
    private Func<int, double>? _acceptance;
    private double[]? _minimumSurvival;
    private readonly Func<int, bool> _isEndOfGeneration;
    private readonly int[] _held;
    private readonly int[] _single = new int[1];
    private int _heldCount;
    private long _decodeTicks;
    private long _catchUpTicks;
    private bool _disposed;

    // Back-off: after FreeMisses steps in a row where the draft model had nothing confident to say or everything it said
    // was refused, it is not asked for the next 1, 3, 7, … 63 steps (a useless draft model then costs almost nothing);
    // any accepted draft resets it. Skipped tokens are caught up in one batch the next time it is asked.
    private const int FreeMisses = 4;
    private const int MaxMisses = FreeMisses + 6;
    private int _misses;
    private long _calls;
    private long _askAgainAt;

    /// <summary>Creates the drafter and its context of the draft model.</summary>
    /// <param name="options">The draft model and the probability floor.</param>
    /// <param name="isEndOfGeneration">Tells which tokens end generation; drafts stop before them.</param>
    /// <param name="adaptive">True under adaptive planning, which prices every drafted token (no floor unless one is set).</param>
    /// <param name="targetVocabularySize">The target's vocabulary size when known: drafts never hold a token past it (the
    /// two may differ by up to 128 tokens).</param>
    public DraftModelDrafter(DraftModelOptions options, Func<int, bool> isEndOfGeneration, bool adaptive = false, int? targetVocabularySize = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(isEndOfGeneration);
        options.Validate();
        _model = options.Model ?? throw new InvalidOptionException(nameof(DraftModelOptions.Model), "a draft model is required (GenerationOptions.DraftModel.Model)");
        _floor = options.FloorFor(adaptive);
        _vocabularySize = Math.Min(_model.Info.VocabularySize, targetVocabularySize ?? int.MaxValue);
        _isEndOfGeneration = isEndOfGeneration;
        _context = NativeContext.Create(_model.Native, _model.Options, _model.HeadSize, drafting: true);
        _held = new int[_context.Size];
    }

    /// <inheritdoc />
    public string Name => "draft-model";

    /// <inheritdoc />
    public TimeSpan DecodeTime => System.Diagnostics.Stopwatch.GetElapsedTime(0, _decodeTicks);

    /// <inheritdoc />
    public TimeSpan CatchUpTime => System.Diagnostics.Stopwatch.GetElapsedTime(0, _catchUpTicks);

    /// <inheritdoc />
    public int EvidenceClassCount => (MarginEdges.Length + 1) * PositionBins;

    /// <summary>
    /// The prior of a margin bin: the share a calibrated draft model would give its top token against the runner-up alone,
    /// 1 / (1 + e^−m) at the bin's middle (0.53 for the closest bin, 0.99 for the open one); learning takes over after a
    /// few outcomes.
    /// </summary>
    public double PriorAcceptance(int evidenceClass) => MarginPrior(evidenceClass);

    /// <summary>The prior of <paramref name="evidenceClass"/> (see <see cref="PriorAcceptance"/>).</summary>
    internal static double MarginPrior(int evidenceClass)
    {
        var bin = evidenceClass / PositionBins;
        var low = bin == 0 ? 0 : MarginEdges[bin - 1];
        var middle = bin < MarginEdges.Length ? (low + MarginEdges[bin]) / 2 : low + 1;
        return 1 / (1 + Math.Exp(-middle));
    }

    /// <summary>The evidence class of a drafted token with logit margin <paramref name="margin"/> at draft index <paramref name="index"/>.</summary>
    internal static int EvidenceClass(double margin, int index)
    {
        var bin = 0;
        while (bin < MarginEdges.Length && margin >= MarginEdges[bin])
        {
            bin++;
        }

        return (bin * PositionBins) + EvidenceBins.PositionBin(index);
    }

    /// <inheritdoc />
    public void Begin(ReadOnlySpan<int> prompt)
    {
        _context.Clear();
        _heldCount = 0;
        _decodeTicks = 0;
        _catchUpTicks = 0;
        _misses = 0;
        _calls = 0;
        _askAgainAt = 0;
    }

    /// <inheritdoc />
    public void StopWhenUnlikely(Func<int, double>? acceptance, double[]? minimumSurvival)
    {
        _acceptance = acceptance;
        _minimumSurvival = minimumSurvival;
    }

    /// <inheritdoc />
    public void Verified(in DraftOutcome outcome)
    {
        if (outcome.Proposed.IsEmpty)
        {
            return;
        }

        if (outcome.ProposedConfirmed == 0)
        {
            Miss();
        }
        else
        {
            _misses = 0;
        }
    }

    private void Miss()
    {
        _misses = Math.Min(_misses + 1, MaxMisses);
        _askAgainAt = _misses <= FreeMisses ? 0 : _calls + (1L << (_misses - FreeMisses));
    }

    /// <inheritdoc />
    public void Observe(ReadOnlySpan<int> history)
    {
    }

    /// <inheritdoc />
    public int Propose(ReadOnlySpan<int> history, Span<int> draft) => Propose(history, draft, Span<int>.Empty);

    /// <inheritdoc />
    public int Propose(ReadOnlySpan<int> history, Span<int> draft, Span<int> evidence)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var room = _held.Length - history.Length - 1;
        if (history.IsEmpty || room <= 0 || draft.IsEmpty || ++_calls < _askAgainAt)
        {
            return 0;
        }

        var logits = CatchUp(history);
        var limit = Math.Min(draft.Length, room);
        var count = 0;
        var survival = 1.0;
        while (count < limit)
        {
            var (token, probability, margin) = TopToken(logits);
            if (token < 0 || probability < _floor || _isEndOfGeneration(token))
            {
                break;
            }

            draft[count] = token;
            var unlikely = false;
            if (!evidence.IsEmpty)
            {
                evidence[count] = EvidenceClass(margin, count);
                if (_acceptance is not null && _minimumSurvival is { } bars && count < bars.Length)
                {
                    survival *= _acceptance(evidence[count]);
                    unlikely = survival < bars[count];
                }
            }

            count++;
            if (count == limit || unlikely)
            {
                // Full, or what follows is unlikely enough that decoding it would be wasted.
                break;
            }

            logits = Append(token);
        }

        if (count == 0)
        {
            Miss();
        }

        return count;
    }

    /// <inheritdoc />
    public void End(ReadOnlySpan<int> history)
    {
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _context.Dispose();
        }
    }

    /// <summary>
    /// Brings the draft context to exactly <paramref name="history"/>: drops what it holds past the common prefix (a
    /// rejected draft, checked by the context) and decodes the rest, leaving the logits of the last history token.
    /// </summary>
    private ReadOnlySpan<float> CatchUp(ReadOnlySpan<int> history)
    {
        var common = _held.AsSpan(0, _heldCount).CommonPrefixLength(history);
        if (common == history.Length)
        {
            // The last token's logits are needed again: decode it anew.
            common--;
        }

        if (common < _heldCount)
        {
            _context.TruncateFrom(common);
            _heldCount = common;
        }

        var missing = history[common..];
        var capacity = _context.BatchCapacity;
        var start = 0;
        while (start < missing.Length)
        {
            var length = Math.Min(capacity, missing.Length - start);
            var before = _decodeTicks;
            Decode(missing.Slice(start, length));
            if (missing.Length > 1)
            {
                // More than the one token the last ask already expected: history it had not seen.
                _catchUpTicks += _decodeTicks - before;
            }

            missing.Slice(start, length).CopyTo(_held.AsSpan(_heldCount));
            _heldCount += length;
            start += length;
        }

        return _context.Logits(missing.Length - 1 - ((missing.Length - 1) / capacity * capacity));
    }

    private ReadOnlySpan<float> Append(int token)
    {
        _single[0] = token;
        Decode(_single);
        _held[_heldCount++] = token;
        return _context.Logits(0);
    }

    private void Decode(ReadOnlySpan<int> tokens)
    {
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        _context.Decode(tokens, _heldCount, logitsForAll: false);
        _decodeTicks += System.Diagnostics.Stopwatch.GetTimestamp() - start;
    }

    /// <summary>
    /// The most likely token (−1 when a logit is NaN or the best is infinite), its logit margin over the runner-up and, only when a floor
    /// needs it, its softmax probability (1 otherwise): a draft token must cost little next to the draft model's decode.
    /// </summary>
    private (int Token, double Probability, double Margin) TopToken(ReadOnlySpan<float> logits)
    {
        logits = logits[..Math.Min(logits.Length, _vocabularySize)];
        var (best, margin) = LogitScan.Top(logits);
        if (best < 0 || _floor <= 0)
        {
            return (best, 1, margin);
        }

        return (best, LogitScan.ShareOfMax(logits, logits[best]), margin);
    }
}
