using LookupDecode.Calibration;

namespace LookupDecode.Decoding;

/// <summary>Where adaptive drafting gets its verification cost model.</summary>
public sealed record AdaptiveDraftingOptions
{
    /// <summary>
    /// An explicit cost model (e.g. <see cref="CostModel.Flat"/> for a GPU-like what-if). When null, the model's stored
    /// calibration for this backend and thread count is used, or measured on first use and stored.
    /// </summary>
    public CostModel? CostModel { get; init; }

    /// <summary>Where calibrations are stored; null uses <see cref="CostModelStore.DefaultDirectory"/>.</summary>
    public string? CostModelDirectory { get; init; }

    /// <summary>Receives calibration progress (0…1) when a calibration has to run first.</summary>
    public IProgress<double>? CalibrationProgress { get; init; }
}
