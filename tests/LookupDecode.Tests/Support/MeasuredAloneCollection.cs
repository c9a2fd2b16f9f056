namespace LookupDecode.Tests.Support;

/// <summary>
/// A collection that xunit runs by itself, so timings taken in it (calibration, and adaptive drafting priced by it) are
/// not disturbed by other tests: a curve measured under parallel load is rightly refused, and one that slips through
/// makes drafting look unprofitable.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeasuredAloneCollection : ICollectionFixture<SharedModels>
{
    public const string Name = "measured alone";
}
