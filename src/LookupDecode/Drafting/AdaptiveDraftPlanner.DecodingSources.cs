using System.Diagnostics;

namespace LookupDecode.Drafting;

/// <summary>
/// Adaptive drafting with drafters that decode a model of their own (<see cref="IDecodingDraftSource"/>: a draft model).
/// Their proposals are not free: each ask costs its own decoding (less the catch-up on history it had not seen, which is
/// owed anyway), timed here and converted into single-token decodes of the target (<see cref="Calibration.CostModel.SingleTokenMilliseconds"/>, learned from the target's observed decodes).
/// Such a drafter is asked after the cheap ones, and only when what its proposals have been worth lately (their expected
/// gain over a plain step) minus what asking costs beats the best cheap proposal of this step: a long n-gram match when
/// there is one, the draft model otherwise. While asking does not pay it is still asked now and then (after 2, 4, … 64
/// steps) to notice when it pays again. It is asked for no more tokens than the planner has lately wanted from it (twice
/// that, plus two), so a draft model whose long drafts are never worth verifying does not decode them.
/// </summary>
internal sealed partial class AdaptiveDraftPlanner
{
    private const double AskLearning = 0.2;
    private const int MaxProbeGap = 64;
    private readonly IDecodingDraftSource?[] _decoding;
    private readonly Func<int, double>?[] _acceptanceOf;
    private readonly double[][] _stopBars;
    private readonly double[] _batchCosts;
    private readonly double[] _askValue;
    private readonly double[] _askCost;
    private readonly double[] _wantedLength;
    private readonly long[] _nextProbe;
    private readonly int[] _probeGap;
    private long _step;

    /// <summary>Expected gain over a plain step, in tokens, that asking source <paramref name="s"/> has been worth after its cost (for tests and reports).</summary>
    internal double NetAskValue(int s) => _askValue[s] - (Rate * _askCost[s]);

    private void ProposeFromDecodingSource(int s, IDecodingDraftSource decoding, ReadOnlySpan<int> history, int limit)
    {
        _counts[s] = 0;
        var net = NetAskValue(s);
        if (net <= _bestValue - PlainValue && (net > 0 || _step < _nextProbe[s]))
        {
            // A cheap proposal is expected to do better this step, or asking has not paid lately and no probe is due.
            return;
        }

        // Near the token limit a step may verify fewer than two drafts: the cap never exceeds the room.
        var wantedCap = Math.Max(2, (int)Math.Ceiling(2 * _wantedLength[s]) + 2);
        var cap = Math.Min(limit, wantedCap);
        if (cap <= 0)
        {
            return;
        }

        SetStopBars(_stopBars[s], cap);
        decoding.StopWhenUnlikely(_acceptanceOf[s], _stopBars[s]);
        var decodedBefore = decoding.DecodeTime;
        var catchUpBefore = decoding.CatchUpTime;
        var start = Stopwatch.GetTimestamp();
        _counts[s] = Math.Clamp(Sources[s].Propose(history, _proposals[s].AsSpan(0, cap), _evidence[s].AsSpan(0, cap)), 0, cap);
        var milliseconds = (Stopwatch.GetElapsedTime(start) - (decoding.CatchUpTime - catchUpBefore)).TotalMilliseconds;
        var length = Consider(s, out var value);
        if (_counts[s] == 0 && decoding.DecodeTime == decodedBefore)
        {
            // It declined without decoding (its own back-off): nothing was learned about asking it.
            return;
        }

        var single = _cost.SingleTokenMilliseconds(_depth);
        var cost = single > 0 && double.IsFinite(milliseconds) ? Math.Max(0, milliseconds) / single : 0;
        _askCost[s] += AskLearning * (cost - _askCost[s]);
        _askValue[s] += AskLearning * (Math.Max(0, value - PlainValue) - _askValue[s]);
        if (limit >= Math.Min(wantedCap, _proposals[s].Length))
        {
            // Only when the room did not cut the ask short: near the token limit short drafts say nothing of the drafter.
            var wanted = length == cap ? 2 * cap : length;
            _wantedLength[s] += AskLearning * (Math.Min(wanted, _proposals[s].Length) - _wantedLength[s]);
        }

        if (NetAskValue(s) > 0)
        {
            _probeGap[s] = 0;
            _nextProbe[s] = 0;
        }
        else
        {
            _probeGap[s] = Math.Clamp(_probeGap[s] * 2, 2, MaxProbeGap);
            _nextProbe[s] = _step + _probeGap[s];
        }
    }

    /// <summary>
    /// The bar of each draft index: verifying drafts n…L (n = index + 1) adds at most (L − n + 1)·sₙ expected tokens, since
    /// later tokens are no likelier to be reached than the n-th, for λ·(c(L + 1) − c(n)). A token whose chance sₙ is
    /// under λ times the cheapest such average cost over every L ≤ <paramref name="cap"/> can never be worth verifying, and
    /// nor can anything after it (0 on a flat curve: nothing is cut).
    /// </summary>
    private void SetStopBars(double[] bars, int cap)
    {
        Array.Clear(bars);
        cap = Math.Min(cap, bars.Length);
        for (var k = 1; k <= cap + 1; k++)
        {
            _batchCosts[k] = Cost(k);
        }

        for (var n = 1; n <= cap; n++)
        {
            var cheapest = double.PositiveInfinity;
            for (var last = n; last <= cap; last++)
            {
                cheapest = Math.Min(cheapest, (_batchCosts[last + 1] - _batchCosts[n]) / (last - n + 1));
            }

            bars[n - 1] = Rate * Math.Max(0, cheapest);
        }
    }
}
