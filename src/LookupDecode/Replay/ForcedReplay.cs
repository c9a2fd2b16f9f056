using LookupDecode.Decoding;

namespace LookupDecode.Replay;

/// <summary>
/// Replays recorded answers through the real engine: the production decoding loop, batch verification, KV rollback and
/// statistics, with the recording's next token emitted in place of the model's choice (<see cref="GenerationSession.Replay(ReadOnlySpan{int}, ReadOnlySpan{int}, GenerationOptions, CancellationToken)"/>).
/// Every batch costs what it really costs on this machine, so the decode times give the wall-clock speedup for a user whose
/// model writes what the recording holds.
/// </summary>
public static class ForcedReplay
{
    /// <summary>Replays one trace with <paramref name="variant"/> in <paramref name="session"/>; returns its figures with the measured decode time.</summary>
    public static ReplayFigures Run(GenerationSession session, ReplayTrace trace, ReplayVariant variant, int maxTokens, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(variant);
        var options = variant.Options with { MaxTokens = maxTokens };
        var result = variant.IsOracle
            ? session.Replay(trace.Prompt, trace.Answer, options,
                OfflineReplay.CreateOracle(options, trace, session.CostModelFor(options), session.Model.DraftVocabulary), cancellationToken)
            : session.Replay(trace.Prompt, trace.Answer, options, cancellationToken);
        var statistics = result.Statistics;
        return new ReplayFigures
        {
            Turns = 1,
            Tokens = statistics.GeneratedTokens,
            Steps = statistics.DecodeCalls + 1,
            Drafted = statistics.DraftedTokens,
            Accepted = statistics.AcceptedTokens,
            PlainCost = statistics.GeneratedTokens - 1,
            DecodeTime = statistics.DecodeTime,
        };
    }
}
