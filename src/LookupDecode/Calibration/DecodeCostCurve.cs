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

    /// <summary>T(k)/T(1) at the measured depth closest to <paramref name="depth"/>, interpolated between measured batch sizes.</summary>
    public double RelativeCost(int batchSize, int depth = 0)
    {
        var nearest = Depths.MinBy(measured => Math.Abs(measured - depth));
        var row = Points.Where(point => point.Depth == nearest).OrderBy(point => point.BatchSize).ToArray();
        if (row.Length == 0)
        {
            return batchSize;
        }

        var below = row.LastOrDefault(point => point.BatchSize <= batchSize) ?? row[0];
        var above = row.FirstOrDefault(point => point.BatchSize >= batchSize) ?? row[^1];
        if (above.BatchSize == below.BatchSize)
        {
            return below.RelativeCost * (above.BatchSize == batchSize ? 1 : (double)batchSize / above.BatchSize);
        }

        var t = (double)(batchSize - below.BatchSize) / (above.BatchSize - below.BatchSize);
        return below.RelativeCost + (t * (above.RelativeCost - below.RelativeCost));
    }
}
