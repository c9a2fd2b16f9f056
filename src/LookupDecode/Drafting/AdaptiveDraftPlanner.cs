using LookupDecode.Calibration;
using LookupDecode.Drafting.Trees;

namespace LookupDecode.Drafting;

/// <summary>
/// Adaptive drafting: every drafter proposes up to the maximum length, each drafted token is given the acceptance
/// probability learned for its evidence class, and <see cref="DraftLengthPolicy"/> picks, per drafter, how many are worth
/// verifying at this machine's measured cost; the drafter with the best expected gain wins the step, and zero drafts
/// (a plain step) is always a candidate. After verification every drafter learns from the tokens that were actually
/// emitted, whether or not its proposal was used, and the cost model learns from the decode time. Allocates nothing per step.
/// </summary>
internal sealed partial class AdaptiveDraftPlanner : DraftPlannerBase<IScoredDraftSource>, Trees.ITreePlanner
{
    private const double RateLearning = 0.1;
    private readonly AcceptanceModel[] _models;
    private readonly CostModel _cost;
    private readonly int[][] _proposals;
    private readonly int[][] _evidence;
    private readonly int[] _counts;
    private readonly double[] _probabilities;
    private readonly Func<int, double> _costFunction;
    private double _rate = 1;

    /// <summary>
    /// Standard deviations taken off the acceptance estimates of the cheap drafters' tokens
    /// (<see cref="AcceptanceModel.Probability(int, double)"/>): the extra cost of one more verified token, c(2) − 1, at
    /// most 1 — none on a flat curve, where a wasted draft is free. Their classes are many (the suffix drafter's 1,440) and
    /// mostly rarely seen, so their estimates are uncertain and the best of three proposals tends to be an overrated one;
    /// on Spec-Bench replay (8 questions per task, 128 tokens, this CPU's curve) the margin lifted `auto`'s worst task
    /// from 0.96× to 0.99×, same overall. A draft model's few margin classes are seen every step: its estimates are
    /// taken as they are (with the margin its pair lost 0.02×).
    /// </summary>
    private double _caution;
    private int _depth;
    private BatchPrice _price;
    private readonly ProposalFollower[] _followers;
    private int _planStart;
    private int _bestSource;
    private int _bestLength;
    private double _bestValue;

    public AdaptiveDraftPlanner(IReadOnlyList<IScoredDraftSource> sources, IReadOnlyList<AcceptanceModel> models, CostModel cost, int maxDraftLength, IReadOnlyList<AcceptanceModel?>? treeModels = null)
        : base(sources)
    {
        _models = [.. models];
        _treeModels = treeModels is null ? new AcceptanceModel?[Sources.Length] : [.. treeModels];
        _treeProposals = new DraftTree?[Sources.Length];
        _cost = cost;
        _proposals = Sources.Select(_ => new int[maxDraftLength]).ToArray();
        _evidence = Sources.Select(_ => new int[maxDraftLength]).ToArray();
        _counts = new int[Sources.Length];
        _followers = Sources.Select(_ => new ProposalFollower(maxDraftLength + 2, maxDraftLength)).ToArray();
        _probabilities = new double[maxDraftLength];
        _costFunction = Cost;
        _decoding = Sources.Select(source => ScoredDraftSource.Unwrap(source) as IDecodingDraftSource).ToArray();
        _acceptanceOf = _decoding.Select((decoding, s) => decoding is null ? null : new Func<int, double>(_models[s].Probability)).ToArray();
        _stopBars = Sources.Select(_ => new double[maxDraftLength]).ToArray();
        _batchCosts = new double[maxDraftLength + 2];
        _askValue = Sources.Select(_ => 1.0).ToArray();
        _askCost = new double[Sources.Length];
        _wantedLength = Sources.Select(_ => (double)maxDraftLength).ToArray();
        _nextProbe = new long[Sources.Length];
        _probeGap = new int[Sources.Length];
    }

    public override void Begin(ReadOnlySpan<int> prompt)
    {
        base.Begin(prompt);
        foreach (var follower in _followers)
        {
            follower.Clear();
        }
    }

    public override void Observe(ReadOnlySpan<int> history)
    {
        base.Observe(history);
        for (var s = 0; s < Sources.Length; s++)
        {
            _followers[s].Follow(history, _models[s]);
        }
    }

    public override string? LastDrafter => _bestSource >= 0 ? Sources[_bestSource].Name : null;

    public override int Plan(ReadOnlySpan<int> history, Span<int> draft, int depth)
    {
        _depth = depth;
        _caution = Math.Clamp(Cost(2) - Cost(1), 0, 1);
        _planStart = history.Length;
        _step++;
        var limit = Math.Min(draft.Length, _probabilities.Length);
        _bestSource = -1;
        _bestLength = 0;
        _bestValue = PlainValue;
        for (var s = 0; s < Sources.Length; s++)
        {
            if (_decoding[s] is null)
            {
                _counts[s] = Math.Clamp(Sources[s].Propose(history, _proposals[s].AsSpan(0, limit), _evidence[s].AsSpan(0, limit)), 0, limit);
                Consider(s, out _);
            }
        }

        // Drafters that decode a model of their own come last: they are asked only when they are expected to beat the
        // best proposal so far by more than their own decoding costs.
        for (var s = 0; s < Sources.Length; s++)
        {
            if (_decoding[s] is { } decoding)
            {
                ProposeFromDecodingSource(s, decoding, history, limit);
            }
        }

        if (_bestSource >= 0)
        {
            _proposals[_bestSource].AsSpan(0, _bestLength).CopyTo(draft);
        }

        _chainValue = _bestValue;
        return _bestLength;
    }

    /// <summary>Prices source <paramref name="s"/>'s proposal and keeps it if it beats the best so far; returns the length worth verifying.</summary>
    private int Consider(int s, out double value)
    {
        var count = _counts[s];
        value = PlainValue;
        if (count == 0)
        {
            return 0;
        }

        for (var i = 0; i < count; i++)
        {
            _probabilities[i] = _models[s].Probability(_evidence[s][i], _decoding[s] is null ? _caution : 0);
        }

        var length = DraftLengthPolicy.Choose(_probabilities.AsSpan(0, count), _costFunction, Rate, out var expected);
        if (length == 0)
        {
            return 0;
        }

        value = expected - (Rate * Cost(length + 1));
        if (value > _bestValue)
        {
            _bestValue = value;
            _bestSource = s;
            _bestLength = length;
        }

        return length;
    }

    public override void Verified(ReadOnlySpan<int> verified, ReadOnlySpan<int> emitted, int batchSize, int depth, double milliseconds)
    {
        var acceptedCount = verified.CommonPrefixLength(emitted);
        for (var s = 0; s < Sources.Length; s++)
        {
            Sources[s].Verified(new DraftOutcome(_proposals[s].AsSpan(0, _counts[s]), verified, acceptedCount, emitted));
            _followers[s].Add(_planStart, _proposals[s].AsSpan(0, _counts[s]), _evidence[s].AsSpan(0, _counts[s]), emitted, _models[s]);
            _counts[s] = 0;
        }

        LearnTree(emitted);
        if (_price.IsSolo)
        {
            // A shared batch's time and rate are the engine's to learn: this sequence saw only its share of it.
            _cost.Observe(batchSize, depth, milliseconds);
            var achieved = emitted.Length / _cost.RelativeCost(batchSize, depth);
            _rate = Math.Clamp(_rate + (RateLearning * (achieved - _rate)), 1, 8);
        }
    }

    public void PriceNextStep(BatchPrice price) => _price = price;

    /// <summary>Tokens per single-token decode's worth of time that a step must keep up with: this planner's own, or the shared batch's.</summary>
    private double Rate => _price.IsSolo ? _rate : _price.Rate;

    /// <summary>Value of a plain step (the pending token alone): one token for its cost.</summary>
    private double PlainValue => 1 - (Rate * Cost(1));

    /// <summary>
    /// Cost of this sequence's <paramref name="batchSize"/> tokens, in single-token decodes: T(k)/T(1) alone, the batch's
    /// marginal cost of them when shared.
    /// </summary>
    private double Cost(int batchSize) => _price.Cost is { } shared
        ? shared.Marginal(batchSize)
        : _cost.RelativeCost(batchSize, _depth);
}
