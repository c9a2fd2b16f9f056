using System.Text.Json;
using System.Text.Json.Serialization;
using LookupDecode.Cli.Commands;
using LookupDecode.Decoding;

namespace LookupDecode.Cli.Output;

/// <summary>The <c>generate --json</c> document: upstream-named statistics plus the generated tokens and text.</summary>
internal static class GenerationJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Serialize(GenerationResult result, GenerationOptions options)
    {
        var statistics = result.Statistics;
        var document = new GenerationDocument(
            Mode: options.Drafting.Name,
            NDraft: options.Drafting.IsGreedy ? 0 : options.Drafting.MaxLength,
            DraftPolicy: options.Drafting.IsGreedy ? "none" : options.Drafting.Adaptive ? "auto" : "fixed",
            PromptTokens: statistics.PromptTokens,
            NPredict: statistics.GeneratedTokens,
            NDrafted: statistics.DraftedTokens,
            NAccept: statistics.AcceptedTokens,
            AcceptPercent: Math.Round(statistics.AcceptPercent, 3),
            MeanAcceptLength: Math.Round(statistics.MeanAcceptLength, 4),
            DecodeCalls: statistics.DecodeCalls,
            TokensPerSecond: Math.Round(statistics.TokensPerSecond, 2),
            PromptTokensPerSecond: Math.Round(statistics.PromptTokensPerSecond, 2),
            PromptEvalMs: Math.Round(statistics.PromptEvalTime.TotalMilliseconds, 3),
            DecodeMs: Math.Round(statistics.DecodeTime.TotalMilliseconds, 3),
            TDraftUsPerToken: Math.Round(statistics.DraftMicrosecondsPerToken, 3),
            PeakMemoryMb: Math.Round(statistics.PeakMemoryMegabytes, 1),
            StopReason: result.StopReason.ToString(),
            DraftingFallback: statistics.DraftingFallback,
            Tokens: result.Tokens,
            Text: result.Text);
        return JsonSerializer.Serialize(document, Options);
    }

    private sealed record GenerationDocument(
        string Mode,
        int NDraft,
        string DraftPolicy,
        int PromptTokens,
        int NPredict,
        int NDrafted,
        int NAccept,
        double AcceptPercent,
        double MeanAcceptLength,
        int DecodeCalls,
        double TokensPerSecond,
        double PromptTokensPerSecond,
        double PromptEvalMs,
        double DecodeMs,
        [property: JsonPropertyName("t_draft_us_per_token")] double TDraftUsPerToken,
        double PeakMemoryMb,
        string StopReason,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? DraftingFallback,
        IReadOnlyList<int> Tokens,
        string Text);
}
