using LookupDecode.Models;

namespace LookupDecode.Decoding;

/// <summary>
/// Token selection. Temperature 0 selects the most likely token (greedy); above 0 LLamaSharp's sampler
/// chain (top-k, top-p, min-p, temperature, seeded distribution) draws one.
/// </summary>
public sealed record SamplingOptions
{
    /// <summary>Greedy selection.</summary>
    public static SamplingOptions Greedy { get; } = new();

    /// <summary>Softmax temperature; 0 means greedy. Default 0.</summary>
    public float Temperature { get; init; }

    /// <summary>Smallest positive temperature: logits up to 10^4 divided by it stay far from float's limit.</summary>
    public const float MinTemperature = 1e-4f;

    /// <summary>Seed of the sampler's random generator (ignored when greedy). Default 42.</summary>
    public uint Seed { get; init; } = 42;

    /// <summary>Keep only the k most likely tokens (0 = off). Default 40, as llama.cpp.</summary>
    public int TopK { get; init; } = 40;

    /// <summary>Nucleus sampling threshold. Default 0.95, as llama.cpp.</summary>
    public float TopP { get; init; } = 0.95f;

    /// <summary>Minimum probability relative to the best token. Default 0.05, as llama.cpp.</summary>
    public float MinP { get; init; } = 0.05f;

    /// <summary>
    /// Penalty on tokens among the last <see cref="RepeatLastN"/> (prompt included, as llama-cli seeds it), as llama.cpp's
    /// <c>--repeat-penalty</c>; 1 = off (default). Applies greedy or sampled: tokens then come from LLamaSharp's sampler
    /// chain, which sees every emitted token in order, so drafting stays exact.
    /// </summary>
    public float RepeatPenalty { get; init; } = 1f;

    /// <summary>How many recent tokens the repeat penalty looks at (llama.cpp's <c>--repeat-last-n</c>). Default 64.</summary>
    public int RepeatLastN { get; init; } = 64;

    /// <summary>True when a penalty changes the logits before selection.</summary>
    public bool HasPenalty => RepeatPenalty != 1f;

    /// <summary>
    /// With a temperature above 0 and drafting on: insist that the output equals plain sampling with the same seed.
    /// When the model's batched logits are not bit-identical to single-token logits (see
    /// <see cref="Models.LlamaModel.BatchLogitDifference"/>), drafting is then switched off for sampled runs (and the
    /// statistics say so). Set to false to draft anyway: every token is still sampled from the model's own distribution
    /// at its position (speculative sampling stays distribution-preserving), but an individual draw close to a
    /// probability boundary may differ from plain decoding's. Default true.
    /// </summary>
    public bool SeedExact { get; init; } = true;

    /// <summary>True when tokens are chosen by argmax.</summary>
    public bool IsGreedy => Temperature <= 0;

    /// <summary>Throws <see cref="InvalidOptionException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (float.IsNaN(Temperature) || Temperature is < 0 or > 100 || Temperature is > 0 and < MinTemperature)
        {
            // Below the minimum, logits divided by the temperature overflow float to infinity and sampling turns to garbage.
            throw new InvalidOptionException(nameof(Temperature), $"must be 0 (greedy) or from {MinTemperature} to 100, was {Temperature}");
        }

        if (TopK < 0)
        {
            throw new InvalidOptionException(nameof(TopK), $"must be 0 (off) or positive, was {TopK}");
        }

        if (float.IsNaN(TopP) || TopP is <= 0 or > 1)
        {
            throw new InvalidOptionException(nameof(TopP), $"must be in (0, 1], was {TopP}");
        }

        if (float.IsNaN(MinP) || MinP is < 0 or > 1)
        {
            throw new InvalidOptionException(nameof(MinP), $"must be in [0, 1], was {MinP}");
        }

        if (!float.IsFinite(RepeatPenalty) || RepeatPenalty is <= 0 or > 10)
        {
            throw new InvalidOptionException(nameof(RepeatPenalty), $"must be in (0, 10], was {RepeatPenalty}");
        }

        if (RepeatLastN is < 0 or > ModelOptions.MaxContextSize)
        {
            throw new InvalidOptionException(nameof(RepeatLastN), $"must be between 0 and {ModelOptions.MaxContextSize}, was {RepeatLastN}");
        }
    }
}
