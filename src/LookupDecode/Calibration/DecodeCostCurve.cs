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
}
