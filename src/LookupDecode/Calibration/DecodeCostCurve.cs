namespace LookupDecode.Calibration;

/// <summary>The cost of verifying batches of each size on one model, backend and thread count.</summary>
/// <param name="ModelName">File name of the model measured.</param>
/// <param name="Backend">The llama.cpp build used.</param>
/// <param name="Threads">CPU threads.</param>
/// <param name="Points">Measured points, by depth then batch size.</param>
public sealed record DecodeCostCurve(string ModelName, string Backend, int Threads, IReadOnlyList<DecodeCostPoint> Points)
{
    /// <summary>
    /// False for a curve of relative costs only (<see cref="Flat"/>, <see cref="FromRelativeCosts"/>, a curve file of
    /// <c>[k, T(k)/T(1)]</c> pairs): its milliseconds are nominal (a single step is "1 ms") and say nothing of real time.
    /// </summary>
    public bool HasMeasuredTimes { get; init; } = true;

    /// <summary>
    /// Why the measurement cannot be trusted (other load on the machine made its repeats disagree), or null for a clean
    /// one. A disturbed curve may price one process's decisions but is never stored as the machine's calibration.
    /// </summary>
    public string? Disturbance { get; init; }

    /// <summary>Depths measured, ascending.</summary>
    public IReadOnlyList<int> Depths => Points.Select(point => point.Depth).Distinct().Order().ToArray();

    /// <summary>Largest batch size a curve may hold.</summary>
    public const int MaxBatchSize = 4096;

    /// <summary>
    /// What makes this curve unusable, or null when it is sound: no points, a null point, a batch size outside
    /// 1–<see cref="MaxBatchSize"/>, a negative depth, a time that is not a positive number, or a depth without a batch of 1
    /// (which every relative cost is taken against). Files are read by others' hands; nothing here trusts them.
    /// </summary>
    public string? Problem()
    {
        if (Points is not { Count: > 0 } || Points.Any(point => point is null))
        {
            return "holds no measured points (or a null one)";
        }

        foreach (var point in Points)
        {
            if (point.BatchSize is < 1 or > MaxBatchSize)
            {
                return $"batch size {point.BatchSize} is outside 1-{MaxBatchSize}";
            }

            if (point.Depth is < 0 or > 1 << 24)
            {
                return $"depth {point.Depth} is outside 0-{1 << 24}";
            }

            if (!double.IsFinite(point.Milliseconds) || point.Milliseconds is <= 1e-6 or > 1e7)
            {
                return $"cost {point.Milliseconds} ms of batch {point.BatchSize} is not a positive number of milliseconds (1e-6 to 1e7)";
            }
        }

        if (Points.GroupBy(point => (point.BatchSize, point.Depth)).FirstOrDefault(group => group.Count() > 1) is { } repeated)
        {
            return $"batch {repeated.Key.BatchSize} at depth {repeated.Key.Depth} is measured twice";
        }

        if (Depths.Any(depth => !Points.Any(point => point.Depth == depth && point.BatchSize == 1)))
        {
            return "lacks a batch of 1 at some depth";
        }

        // Noise aside (tiny models time in microseconds), a batch of k tokens costs neither a thousandth of one step nor a thousand times k.
        foreach (var point in Points)
        {
            var single = Points.First(other => other.Depth == point.Depth && other.BatchSize == 1).Milliseconds;
            var ratio = point.Milliseconds / single;
            if (ratio < 1e-3 || ratio > 1e3 * point.BatchSize)
            {
                return $"batch {point.BatchSize} at depth {point.Depth} costs {ratio:G3} single steps, which no machine measures";
            }
        }

        return null;
    }

    /// <summary>A curve whose batches all cost the same as one token (what a GPU nearly does), for tests and what-ifs.</summary>
    public static DecodeCostCurve Flat(int maxBatchSize = 32) => FromRelativeCosts(Enumerable.Repeat(1.0, maxBatchSize).ToArray());

    /// <summary>A curve from relative costs T(k)/T(1) for k = 1…n (first entry must be 1).</summary>
    public static DecodeCostCurve FromRelativeCosts(IReadOnlyList<double> relativeCosts)
    {
        ArgumentNullException.ThrowIfNull(relativeCosts);
        var points = relativeCosts.Select((cost, index) => new DecodeCostPoint(index + 1, 0, cost, cost)).ToArray();
        return new DecodeCostCurve("synthetic", "synthetic", 0, points) { HasMeasuredTimes = false };
    }
}
