using System.Text.Json.Serialization;

namespace LookupDecode.Server.OpenAi;

internal sealed record ChatCompletionResponse(
    string Id, string Object, long Created, string Model, IReadOnlyList<ChatChoice> Choices, UsageOutput? Usage, string SystemFingerprint,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Timings? Timings);

internal sealed record ChatChoice(int Index, ChatMessageOutput Message, string FinishReason);

internal sealed record ChatMessageOutput(string Role, string Content);

internal sealed record ChatCompletionChunk(
    string Id, string Object, long Created, string Model, IReadOnlyList<ChatChunkChoice> Choices, UsageOutput? Usage, string SystemFingerprint,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Timings? Timings,
    [property: JsonPropertyName("lookupdecode"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] TokenOrigin? Origin = null);

internal sealed record ChatChunkChoice(int Index, ChatDelta Delta, string? FinishReason);

internal sealed record ChatDelta(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Role,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Content);

internal sealed record TextCompletionResponse(
    string Id, string Object, long Created, string Model, IReadOnlyList<TextChoice> Choices, UsageOutput? Usage, string SystemFingerprint,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Timings? Timings,
    [property: JsonPropertyName("lookupdecode"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] TokenOrigin? Origin = null);

/// <summary>
/// How a streamed chunk's token came, an extension field OpenAI clients ignore (<c>"lookupdecode"</c>): accepted from a
/// verified draft, and which drafter proposed it (<c>lookup</c>, <c>prompt-lookup</c>, <c>suffix</c>, <c>draft-model</c>,
/// <c>tree</c>), or decoded one at a time.
/// </summary>
internal sealed record TokenOrigin(
    bool Drafted,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Drafter);

internal sealed record TextChoice(string Text, int Index, string? FinishReason);

internal sealed record UsageOutput(int PromptTokens, int CompletionTokens, int TotalTokens);

/// <summary>
/// Per-request figures, named as llama-server names them in its <c>timings</c> object (prompt_*, predicted_*, draft_n,
/// draft_n_accepted), plus LookupDecode's own.
/// </summary>
internal sealed record Timings(
    int PromptN,
    double PromptMs,
    double PromptPerTokenMs,
    double PromptPerSecond,
    int PredictedN,
    double PredictedMs,
    double PredictedPerTokenMs,
    double PredictedPerSecond,
    int DraftN,
    int DraftNAccepted,
    double AcceptPercent,
    double MeanAcceptLength,
    int DecodeCalls,
    double TimeToFirstTokenMs,
    string Mode);

internal sealed record ModelList(string Object, IReadOnlyList<ModelEntry> Data);

internal sealed record ModelEntry(string Id, string Object, long Created, string OwnedBy);

internal sealed record ErrorResponse(ErrorBody Error);

internal sealed record ErrorBody(string Message, string Type, string? Param, string? Code);

internal sealed record HealthResponse(string Status, string? Model, int SessionsInUse, int Capacity, int Waiting);
