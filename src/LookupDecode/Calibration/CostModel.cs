namespace LookupDecode.Calibration;

/// <summary>
/// The cost of one <c>llama_decode</c> of k tokens relative to one of a single token, at a context depth: from a
/// measured <see cref="DecodeCostCurve"/> (interpolated between measured depths, and between batch sizes only where a
/// size was not measured, so a curve's non-monotone structure, such as cheap multiples of 4, is kept), refined online
/// from the decode times generation observes, per depth range (<see cref="DepthRangeOf"/>) and batch size. Each range
/// learns how single-token decodes compare with the curve, and each batch size in it how its decodes compare with that
/// (<see cref="ObservedRatio"/>: settled after <see cref="MinimumObservations"/> observations, spikes set aside), so a
/// machine-wide slowdown cancels out. A batch size seen fewer than <see cref="MinimumObservations"/> times in a range takes
/// the correction its settled neighbours imply (interpolated across widths, borrowed from the nearest range), or none while
/// nothing is known. Not thread-safe.
/// </summary>
public sealed class CostModel
{
    /// <summary>Observations of a batch size (in a depth range) before its own correction is trusted.</summary>
    public const int MinimumObservations = 3;

    /// <summary>Depth ranges learned apart: [0, 256), [256, 512), [512, 1024), … doubling, the last open-ended.</summary>
    public const int DepthRanges = 8;

    private readonly DecodeCostCurve _curve;
    private readonly int[] _depths;
    private readonly ObservedRatio[] _single;
    private readonly ObservedRatio[] _relative;
    private ObservedRatio _anySingle;

    /// <summary>Creates a model from a measured curve.</summary>
    public CostModel(DecodeCostCurve curve)
    {
        ArgumentNullException.ThrowIfNull(curve);
        if (curve.Points.Count == 0 || !curve.Points.Any(point => point.BatchSize == 1))
        {
            throw new ArgumentException("a cost curve needs measured points including a batch of 1", nameof(curve));
        }

        _curve = curve;
        _depths = [.. curve.Depths];
        MaxBatchSize = curve.Points.Max(point => point.BatchSize);
        _single = new ObservedRatio[DepthRanges];
        _relative = new ObservedRatio[DepthRanges * (MaxBatchSize + 1)];
    }

    /// <summary>The depth range (0 to <see cref="DepthRanges"/> − 1) whose observations price a step at <paramref name="depth"/>.</summary>
    public static int DepthRangeOf(int depth)
        => depth < 256 ? 0 : Math.Min(DepthRanges - 1, 1 + System.Numerics.BitOperations.Log2((uint)(depth / 256)));

    /// <summary>The curve the model started from.</summary>
    public DecodeCostCurve Curve => _curve;

    /// <summary>Largest batch size measured.</summary>
    public int MaxBatchSize { get; }

    /// <summary>A model whose batches all cost the same as one token (what a GPU nearly does), for tests and what-ifs.</summary>
    public static CostModel Flat(int maxBatchSize = 32) => new(DecodeCostCurve.Flat(maxBatchSize));

    /// <summary>A model from relative costs T(k)/T(1) for k = 1…n (first entry must be 1).</summary>
    public static CostModel FromRelativeCosts(IReadOnlyList<double> relativeCosts) => new(DecodeCostCurve.FromRelativeCosts(relativeCosts));

    /// <summary>T(batchSize)/T(1) at <paramref name="depth"/> tokens of context.</summary>
    public double RelativeCost(int batchSize, int depth)
    {
        if (batchSize <= 1)
        {
            return 1;
        }

        var clamped = Math.Min(batchSize, MaxBatchSize);
        var baseCost = Interpolated(clamped, depth) / Interpolated(1, depth);
        var extrapolated = batchSize > MaxBatchSize ? baseCost * batchSize / MaxBatchSize : baseCost;
        return extrapolated * RelativeCorrection(DepthRangeOf(depth), clamped);
    }

    /// <summary>
    /// How a width's steps compare with the curve in a depth range: its own correction once settled; else interpolated
    /// between the nearest settled widths below (width 1 is 1 by definition) and above, or the nearest below's beyond the
    /// widest settled one; a range with no settled width borrows the nearest range that has one. A curve that is wrong
    /// everywhere (a flat one on a CPU) is thus corrected for every width by the few the planner has tried, instead of
    /// tempting it to try each width in each range in turn; 1 while nothing is known.
    /// </summary>
    private double RelativeCorrection(int range, int batchSize)
    {
        if (_relative[Cell(range, batchSize)].Settled)
        {
            return _relative[Cell(range, batchSize)].Value;
        }

        for (var distance = 0; distance < DepthRanges; distance++)
        {
            foreach (var candidate in (ReadOnlySpan<int>)[range - distance, range + distance])
            {
                if (candidate is >= 0 and < DepthRanges && InterpolatedCorrection(candidate, batchSize) is { } known)
                {
                    return known;
                }

                if (distance == 0)
                {
                    break;
                }
            }
        }

        return 1;
    }

    /// <summary>The correction of an unsettled width interpolated from the settled ones of a range, or null when it has none.</summary>
    private double? InterpolatedCorrection(int range, int batchSize)
    {
        int below = 1, above = -1;
        for (var width = batchSize - 1; width >= 2; width--)
        {
            if (_relative[Cell(range, width)].Settled)
            {
                below = width;
                break;
            }
        }

        for (var width = batchSize + 1; width <= MaxBatchSize; width++)
        {
            if (_relative[Cell(range, width)].Settled)
            {
                above = width;
                break;
            }
        }

        if (below == 1 && above < 0)
        {
            return null;
        }

        var belowValue = below == 1 ? 1 : _relative[Cell(range, below)].Value;
        if (above < 0)
        {
            return belowValue;
        }

        var t = (double)(batchSize - below) / (above - below);
        return belowValue + (t * (_relative[Cell(range, above)].Value - belowValue));
    }

    /// <summary>
    /// Milliseconds one single-token decode takes at <paramref name="depth"/>: the curve's, scaled by what generation has
    /// observed. The unit in which a drafter's own time (a draft model's decoding) is weighed against verification's.
    /// NaN while unknown: a curve of relative costs only (<see cref="DecodeCostCurve.HasMeasuredTimes"/>) before
    /// generation has timed a few single-token decodes (offline replay never does).
    /// </summary>
    public double SingleTokenMilliseconds(int depth)
        => _curve.HasMeasuredTimes || _anySingle.Settled ? Interpolated(1, depth) * SingleCorrection(DepthRangeOf(depth)) : double.NaN;

    /// <summary>
    /// Learns from one observed decode: <paramref name="milliseconds"/> for <paramref name="batchSize"/> tokens at
    /// <paramref name="depth"/>. A single token's time teaches its depth range how the machine compares with the curve now;
    /// a batch's teaches how much more it costs than that, so slowdowns that hit every batch size alike cancel out.
    /// </summary>
    public void Observe(int batchSize, int depth, double milliseconds)
    {
        if (batchSize < 1 || batchSize > MaxBatchSize || !(milliseconds > 0) || double.IsInfinity(milliseconds) || depth < 0)
        {
            return;
        }

        var predicted = Interpolated(batchSize, depth);
        if (!(predicted > 0))
        {
            return;
        }

        // Not bounded: a curve of relative costs only prices a step at a nominal "1 ms", so a real step may be hundreds
        // of times that; spikes are ObservedRatio's to set aside, and only the relative correction is bounded.
        var ratio = milliseconds / predicted;
        if (!double.IsFinite(ratio))
        {
            return;
        }

        var range = DepthRangeOf(depth);
        if (batchSize == 1)
        {
            _single[range].Observe(ratio);
            _anySingle.Observe(ratio);
        }
        else
        {
            _relative[Cell(range, batchSize)].Observe(Math.Clamp(ratio / SingleCorrection(range), 0.05, 20));
        }
    }

    /// <summary>How single-token decodes in a depth range compare with the curve: the range's own once settled, else all ranges'.</summary>
    private double SingleCorrection(int range) => _single[range].ValueOr(_anySingle.Count > 0 ? _anySingle.Value : 1);

    private int Cell(int range, int batchSize) => (range * (MaxBatchSize + 1)) + batchSize;

    /// <summary>Milliseconds the curve predicts for a batch at a depth (linear between measured depths and batch sizes).</summary>
    private double Interpolated(int batchSize, int depth)
    {
        if (_depths.Length == 1 || depth <= _depths[0])
        {
            return AtDepth(batchSize, _depths[0]);
        }

        for (var i = 1; i < _depths.Length; i++)
        {
            if (depth <= _depths[i])
            {
                var t = (double)(depth - _depths[i - 1]) / (_depths[i] - _depths[i - 1]);
                return AtDepth(batchSize, _depths[i - 1]) + (t * (AtDepth(batchSize, _depths[i]) - AtDepth(batchSize, _depths[i - 1])));
            }
        }

        // Beyond the deepest measurement: extend the last slope.
        var last = _depths[^1];
        var previous = _depths[^2];
        var slope = (AtDepth(batchSize, last) - AtDepth(batchSize, previous)) / (last - previous);
        return AtDepth(batchSize, last) + (slope * (depth - last));
    }

    private double AtDepth(int batchSize, int depth)
    {
        DecodeCostPoint? below = null;
        DecodeCostPoint? above = null;
        foreach (var point in _curve.Points)
        {
            if (point.Depth != depth)
            {
                continue;
            }

            if (point.BatchSize <= batchSize && (below is null || point.BatchSize > below.BatchSize))
            {
                below = point;
            }

            if (point.BatchSize >= batchSize && (above is null || point.BatchSize < above.BatchSize))
            {
                above = point;
            }
        }

        below ??= above!;
        above ??= below;
        if (above.BatchSize == below.BatchSize)
        {
            return below.Milliseconds;
        }

        var t = (double)(batchSize - below.BatchSize) / (above.BatchSize - below.BatchSize);
        return below.Milliseconds + (t * (above.Milliseconds - below.Milliseconds));
    }
}
