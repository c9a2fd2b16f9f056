namespace LookupDecode.Calibration;

/// <summary>
/// A running estimate of how observed decode times compare with predicted ones (observed / predicted), robust to the
/// disturbances a shared machine produces: the first estimate is the median of the first
/// <see cref="CostModel.MinimumObservations"/> observations; after that it follows new observations quickly, an
/// observation more than <see cref="OutlierFactor"/> away from the estimate is set aside, and only a run of
/// <see cref="CostModel.MinimumObservations"/> such observations in a row (a lasting change, not a spike) replaces the
/// estimate with their median. Mutable value type kept in arrays; allocates nothing.
/// </summary>
internal struct ObservedRatio
{
    /// <summary>How far from the estimate an observation may lie before it is set aside (either way).</summary>
    public const double OutlierFactor = 2;

    /// <summary>Weight of a new observation once the estimate has settled: about the last ten count.</summary>
    private const double SteadyLearning = 0.1;

    private double _first;
    private double _second;
    private double _outlierFirst;
    private double _outlierSecond;
    private int _outliers;

    /// <summary>The estimate; 1 before any observation.</summary>
    public double Value { readonly get; private set; }

    /// <summary>Observations the estimate rests on (set-aside ones excluded).</summary>
    public int Count { readonly get; private set; }

    /// <summary>Whether <see cref="Count"/> reaches <see cref="CostModel.MinimumObservations"/>.</summary>
    public readonly bool Settled => Count >= CostModel.MinimumObservations;

    /// <summary>The estimate, or <paramref name="fallback"/> while it is not <see cref="Settled"/>.</summary>
    public readonly double ValueOr(double fallback) => Settled ? Value : fallback;

    /// <summary>Learns one observed ratio (positive and finite; the caller checks).</summary>
    public void Observe(double ratio)
    {
        if (Count == 0)
        {
            _first = ratio;
            Value = ratio;
            Count = 1;
            return;
        }

        if (Count == 1)
        {
            _second = ratio;
            Value = (_first + ratio) / 2;
            Count = 2;
            return;
        }

        if (Count == 2)
        {
            Value = MedianOf(_first, _second, ratio);
            Count = 3;
            return;
        }

        if (ratio > Value * OutlierFactor || ratio < Value / OutlierFactor)
        {
            SetAside(ratio);
            return;
        }

        _outliers = 0;
        Count++;
        Value += Math.Max(1.0 / Count, SteadyLearning) * (ratio - Value);
    }

    private void SetAside(double ratio)
    {
        switch (_outliers++)
        {
            case 0:
                _outlierFirst = ratio;
                return;
            case 1:
                _outlierSecond = ratio;
                return;
            default:
                // A third in a row: the machine (or the model's state) changed; start again from what it does now.
                Value = MedianOf(_outlierFirst, _outlierSecond, ratio);
                Count = CostModel.MinimumObservations;
                _outliers = 0;
                return;
        }
    }

    private static double MedianOf(double a, double b, double c) => Math.Max(Math.Min(a, b), Math.Min(Math.Max(a, b), c));
}
