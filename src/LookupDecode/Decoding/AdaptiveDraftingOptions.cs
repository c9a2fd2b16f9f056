using LookupDecode.Calibration;

namespace LookupDecode.Decoding;

/// <summary>Where adaptive drafting gets the verification cost it weighs drafts against. Values only.</summary>
public sealed record AdaptiveDraftingOptions
{
    /// <summary>
    /// An explicit cost curve (e.g. <see cref="DecodeCostCurve.Flat"/> for a GPU-like what-if). When null, the model's
    /// stored calibration for this backend and thread count is used, or measured on first use and stored
    /// (<see cref="Models.LlamaModel.CostCurve"/>; call it first to show progress). The session keeps the cost model it
    /// builds from the curve and refines it online with the decode times it observes.
    /// </summary>
    public DecodeCostCurve? CostCurve { get; init; }

    /// <summary>Where calibrations are stored; null uses <see cref="CostModelStore.DefaultDirectory"/>.</summary>
    public string? CostModelDirectory { get; init; }
}
