namespace LookupDecode.Calibration;

/// <summary>Measured cost of one <c>llama_decode</c> of <see cref="BatchSize"/> tokens after <see cref="Depth"/> tokens of context.</summary>
/// <param name="BatchSize">Tokens in the batch (1 = plain decoding; k + 1 = verifying k drafts).</param>
/// <param name="Depth">Tokens already in the KV cache.</param>
/// <param name="Milliseconds">Median wall time of the decode.</param>
/// <param name="RelativeCost">Time divided by the single-token time at the same depth: T(k)/T(1).</param>
public sealed record DecodeCostPoint(int BatchSize, int Depth, double Milliseconds, double RelativeCost);
