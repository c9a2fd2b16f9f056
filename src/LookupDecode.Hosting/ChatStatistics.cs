using LookupDecode.Decoding;
using Microsoft.Extensions.AI;

namespace LookupDecode.Hosting;

/// <summary>
/// Keys under which <see cref="LookupChatClient"/> reports speculative statistics in
/// <see cref="ChatResponse.AdditionalProperties"/> (and on the last streaming update), and the request keys it reads
/// from <see cref="ChatOptions.AdditionalProperties"/>.
/// </summary>
public static class ChatStatistics
{
    /// <summary>Draft tokens sent for verification (upstream <c>n_drafted</c>).</summary>
    public const string Drafted = "n_drafted";

    /// <summary>Draft tokens accepted (upstream <c>n_accept</c>).</summary>
    public const string Accepted = "n_accept";

    /// <summary>100 × accepted / drafted.</summary>
    public const string AcceptPercent = "accept_percent";

    /// <summary>Generated tokens per second of decode time.</summary>
    public const string TokensPerSecond = "tokens_per_second";

    /// <summary>Accepted draft tokens per verify step.</summary>
    public const string MeanAcceptLength = "mean_accept_length";

    /// <summary>llama_decode calls after prefill.</summary>
    public const string DecodeCalls = "decode_calls";

    /// <summary>The drafting preset used ("greedy", "prompt-lookup", "lookup", "auto", …).</summary>
    public const string Mode = "lookupdecode_mode";

    /// <summary>On a streaming update: true when its token was an accepted draft.</summary>
    public const string WasDrafted = "lookupdecode_drafted";

    /// <summary>Request: dynamic-cache key (tenant or conversation); defaults to <see cref="ChatOptions.ConversationId"/>.</summary>
    public const string CacheKeyOption = "LookupDecode.CacheKey";

    /// <summary>Request: drafting preset (<see cref="Drafting.DraftingPresets"/>); defaults to <see cref="LookupDecodeOptions.DefaultDrafting"/>.</summary>
    public const string ModeOption = "LookupDecode.Mode";

    /// <summary>Request: draft length (1…256); defaults to <see cref="LookupDecodeOptions.DraftLength"/>.</summary>
    public const string DraftLengthOption = "LookupDecode.DraftLength";

    internal static AdditionalPropertiesDictionary From(GenerationStatistics statistics, Drafting.DraftingPlan plan) => new()
    {
        [Drafted] = statistics.DraftedTokens,
        [Accepted] = statistics.AcceptedTokens,
        [AcceptPercent] = Math.Round(statistics.AcceptPercent, 3),
        [TokensPerSecond] = Math.Round(statistics.TokensPerSecond, 2),
        [MeanAcceptLength] = Math.Round(statistics.MeanAcceptLength, 4),
        [DecodeCalls] = statistics.DecodeCalls,
        [Mode] = plan.Name,
    };
}
