namespace LookupDecode.Comparison;

/// <summary>Progress of a comparison: which run just finished, out of how many.</summary>
/// <param name="Completed">Runs finished, warm-up included.</param>
/// <param name="Total">Runs in the whole comparison.</param>
/// <param name="Label">Variant of the run that just finished.</param>
/// <param name="IsWarmUp">True for the unmeasured warm-up runs.</param>
public readonly record struct ComparisonProgress(int Completed, int Total, string Label, bool IsWarmUp);
