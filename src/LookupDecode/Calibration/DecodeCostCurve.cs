namespace LookupDecode.Calibration;

/// <summary>The cost of verifying batches of each size on one model, backend and thread count.</summary>
/// <param name="ModelName">File name of the model measured.</param>
/// <param name="Backend">The llama.cpp build used.</param>
/// <param name="Threads">CPU threads.</param>
/// <param name="Points">Measured points, by depth then batch size.</param>
public sealed record DecodeCostCurve(string ModelName, string Backend, int Threads, IReadOnlyList<DecodeCostPoint> Points)
{
    /// <summary>Depths measured, ascending.</summary>
    public IReadOnlyList<int> Depths => Points.Select(point => point.Depth).Distinct().Order().ToArray();

    /// <summary>A curve whose batches all cost the same as one token (what a GPU nearly does), for tests and what-ifs.</summary>
    public static DecodeCostCurve Flat(int maxBatchSize = 32) => FromRelativeCosts(Enumerable.Repeat(1.0, maxBatchSize).ToArray());

    /// <summary>A curve from relative costs T(k)/T(1) for k = 1…n (first entry must be 1).</summary>
    public static DecodeCostCurve FromRelativeCosts(IReadOnlyList<double> relativeCosts)
    {
        ArgumentNullException.ThrowIfNull(relativeCosts);
        var points = relativeCosts.Select((cost, index) => new DecodeCostPoint(index + 1, 0, cost, cost)).ToArray();
        return new DecodeCostCurve("synthetic", "synthetic", 0, points);
    }
}
