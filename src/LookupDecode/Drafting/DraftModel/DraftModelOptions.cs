using LookupDecode.Models;

namespace LookupDecode.Drafting.DraftModel;

/// <summary>The draft model a <see cref="DraftModelDrafter"/> drafts with, and when it stops a draft.</summary>
public sealed record DraftModelOptions
{
    /// <summary>The loaded draft model (same vocabulary as the target: checked by <see cref="VocabularyCompatibility"/>). The caller owns it.</summary>
    public LlamaModel? Model { get; init; }

    /// <summary>A draft stops when the draft model's top probability falls below this (llama.cpp's <c>--draft-p-min</c>). Default 0.75.</summary>
    public double MinProbability { get; init; } = 0.75;

    /// <summary>Throws <see cref="InvalidOptionException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (!double.IsFinite(MinProbability) || MinProbability is < 0 or > 1)
        {
            throw new InvalidOptionException(nameof(MinProbability), $"must be between 0 and 1, was {MinProbability}");
        }
    }
}
