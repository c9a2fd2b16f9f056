namespace LookupDecode.Synthesis;

/// <summary>Progress of writing a model file.</summary>
/// <param name="Stage">What is happening ("writing", "quantizing").</param>
/// <param name="Fraction">Share of the stage done, 0 to 1 (NaN when unknown).</param>
public readonly record struct ModelWriteProgress(string Stage, double Fraction);
