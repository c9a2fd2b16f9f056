using LookupDecode.Models;

namespace LookupDecode.Drafting.DraftModel;

/// <summary>The draft model a <see cref="DraftModelDrafter"/> drafts with, and when it stops a draft.</summary>
public sealed record DraftModelOptions
{
    /// <summary>The loaded draft model (same vocabulary as the target: checked by <see cref="VocabularyCompatibility"/>). The caller owns it.</summary>
    public LlamaModel? Model { get; init; }

    /// <summary>llama.cpp's default <c>--draft-p-min</c>, the floor of fixed-length drafts when none is set.</summary>
    public const double DefaultFixedFloor = 0.75;

    /// <summary>
    /// A draft stops when the draft model's top probability falls below this (llama.cpp's <c>--draft-p-min</c>). Null (the
    /// default): <see cref="DefaultFixedFloor"/> for fixed-length drafts, and no floor under adaptive planning, which prices
    /// every drafted token by what it has learned of the draft model's confidence (a floor would only cut drafts it would
    /// verify: on the stories260K pair, half the drafted tokens lie below 0.75 and are still 65–89% accepted).
    /// </summary>
    public double? MinProbability { get; init; }

    /// <summary>
    /// The options to load a draft model with for a target loaded with <paramref name="target"/>: the same, except that a
    /// Q8_0 KV cache becomes <see cref="KvCacheType.Auto"/> (Q8_0 where the draft model's heads allow it, else F16): a small
    /// draft model's heads are often too narrow for Q8_0, and its cache changes its proposals, never the output.
    /// </summary>
    public static ModelOptions LoadOptionsFor(ModelOptions target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return target.KvCacheType == KvCacheType.Q8_0 ? target with { KvCacheType = KvCacheType.Auto } : target;
    }

    /// <summary>The floor a draft stops at: <see cref="MinProbability"/> when set, else the default for the kind of planning.</summary>
    public double FloorFor(bool adaptive) => MinProbability ?? (adaptive ? 0 : DefaultFixedFloor);

    /// <summary>Throws <see cref="InvalidOptionException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (MinProbability is { } floor && (!double.IsFinite(floor) || floor is < 0 or > 1))
        {
            throw new InvalidOptionException(nameof(MinProbability), $"must be between 0 and 1, was {floor}");
        }
    }
}
