namespace LookupDecode.Calibration;

/// <summary>The median of a sample, the robust centre every timing here reports.</summary>
public static class Median
{
    /// <summary>The median of <paramref name="values"/> (mean of the middle two for an even count; 0 when empty).</summary>
    public static double Of(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return 0;
        }

        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
