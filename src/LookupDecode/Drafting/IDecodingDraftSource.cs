namespace LookupDecode.Drafting;

/// <summary>
/// A drafter that runs a model of its own to draft (a draft model). Its proposals cost decoding time, which adaptive
/// drafting weighs against what they are expected to save (it asks such a drafter only when that pays, and for no more
/// tokens than pay), and which statistics report apart from managed work
/// (<see cref="Decoding.GenerationStatistics.DrafterDecodeTime"/>).
/// </summary>
public interface IDecodingDraftSource : IDraftSource
{
    /// <summary>Time spent in the drafter's own <c>llama_decode</c> calls since it began the current generation.</summary>
    TimeSpan DecodeTime { get; }

    /// <summary>
    /// The part of <see cref="DecodeTime"/> spent catching up on history the drafter had not seen (the prompt, the tokens of
    /// steps it was not asked). It is owed whenever the drafter is next asked, so adaptive drafting does not charge it to
    /// the ask that happens to pay it.
    /// </summary>
    TimeSpan CatchUpTime { get; }

    /// <summary>
    /// Asks the drafter to end its next drafts early, once the chance that every token so far is accepted, as
    /// <paramref name="acceptance"/> estimates it for each token's evidence class, falls below the bar of that token's
    /// index in <paramref name="minimumSurvival"/> (no bar past its end): the token that crosses it is still proposed (it
    /// is already computed), the ones after it would be decoded for nothing. Adaptive drafting sets it before every ask and
    /// may change the bars in place; null stops nothing. A drafter that cannot stop early may ignore it.
    /// </summary>
    void StopWhenUnlikely(Func<int, double>? acceptance, double[]? minimumSurvival)
    {
    }
}
