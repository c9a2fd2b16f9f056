using System.Text.Json;
using LookupDecode.Decoding;
using LookupDecode.Server.OpenAi;

namespace LookupDecode.Server.Endpoints;

/// <summary>What every reply of one request shares.</summary>
internal sealed record ReplyContext(string Id, long Created, string Model, int PromptTokens);

/// <summary>How one endpoint shapes its replies: whole, or as server-sent-event chunks.</summary>
internal interface IReplyFormat
{
    /// <summary>Endpoint name for metrics and logs.</summary>
    string Endpoint { get; }

    /// <summary>Prefix of response ids ("chatcmpl-", "cmpl-").</summary>
    string IdPrefix { get; }

    byte[] Whole(ReplyContext context, GenerationResult result, Timings timings);

    /// <summary>The first chunk, before any text (chat sends the assistant role), or null.</summary>
    byte[]? Opening(ReplyContext context);

    /// <summary>A chunk of streamed text; <paramref name="origin"/> says how its token came (null for text released at the end).</summary>
    byte[] Text(ReplyContext context, string text, TokenOrigin? origin);

    byte[] Finish(ReplyContext context, GenerationResult result, Timings timings);

    /// <summary>The usage-only chunk of <c>stream_options.include_usage</c>.</summary>
    byte[] UsageOnly(ReplyContext context, GenerationResult result);
}

internal static class Replies
{
    public const string Fingerprint = "lookupdecode";

    public static string FinishReason(StopReason reason)
        => reason is StopReason.EndOfGeneration or StopReason.StopSequence ? "stop" : "length";

    public static UsageOutput Usage(ReplyContext context, GenerationResult result)
        => new(context.PromptTokens, result.Tokens.Count, context.PromptTokens + result.Tokens.Count);
}

/// <summary><c>/v1/chat/completions</c>: <c>chat.completion</c> and <c>chat.completion.chunk</c> objects.</summary>
internal sealed class ChatReplyFormat : IReplyFormat
{
    public static readonly ChatReplyFormat Instance = new();

    public string Endpoint => "chat.completions";

    public string IdPrefix => "chatcmpl-";

    public byte[] Whole(ReplyContext context, GenerationResult result, Timings timings)
        => JsonSerializer.SerializeToUtf8Bytes(
            new ChatCompletionResponse(context.Id, "chat.completion", context.Created, context.Model,
                [new ChatChoice(0, new ChatMessageOutput("assistant", result.Text), Replies.FinishReason(result.StopReason))],
                Replies.Usage(context, result), Replies.Fingerprint, timings),
            OpenAiJson.Default.ChatCompletionResponse);

    public byte[]? Opening(ReplyContext context) => Chunk(context, new ChatDelta("assistant", ""), null, null, null);

    public byte[] Text(ReplyContext context, string text, TokenOrigin? origin) => Chunk(context, new ChatDelta(null, text), null, null, null, origin);

    public byte[] Finish(ReplyContext context, GenerationResult result, Timings timings)
        => Chunk(context, new ChatDelta(null, null), Replies.FinishReason(result.StopReason), null, timings);

    public byte[] UsageOnly(ReplyContext context, GenerationResult result)
        => JsonSerializer.SerializeToUtf8Bytes(
            new ChatCompletionChunk(context.Id, "chat.completion.chunk", context.Created, context.Model, [], Replies.Usage(context, result), Replies.Fingerprint, null),
            OpenAiJson.Default.ChatCompletionChunk);

    private static byte[] Chunk(ReplyContext context, ChatDelta delta, string? finishReason, UsageOutput? usage, Timings? timings, TokenOrigin? origin = null)
        => JsonSerializer.SerializeToUtf8Bytes(
            new ChatCompletionChunk(context.Id, "chat.completion.chunk", context.Created, context.Model, [new ChatChunkChoice(0, delta, finishReason)], usage, Replies.Fingerprint, timings, origin),
            OpenAiJson.Default.ChatCompletionChunk);
}

/// <summary><c>/v1/completions</c>: <c>text_completion</c> objects, whole or streamed.</summary>
internal sealed class TextReplyFormat : IReplyFormat
{
    public static readonly TextReplyFormat Instance = new();

    public string Endpoint => "completions";

    public string IdPrefix => "cmpl-";

    public byte[] Whole(ReplyContext context, GenerationResult result, Timings timings)
        => Serialize(context, [new TextChoice(result.Text, 0, Replies.FinishReason(result.StopReason))], Replies.Usage(context, result), timings);

    public byte[]? Opening(ReplyContext context) => null;

    public byte[] Text(ReplyContext context, string text, TokenOrigin? origin) => Serialize(context, [new TextChoice(text, 0, null)], null, null, origin);

    public byte[] Finish(ReplyContext context, GenerationResult result, Timings timings)
        => Serialize(context, [new TextChoice("", 0, Replies.FinishReason(result.StopReason))], null, timings);

    public byte[] UsageOnly(ReplyContext context, GenerationResult result) => Serialize(context, [], Replies.Usage(context, result), null);

    private static byte[] Serialize(ReplyContext context, IReadOnlyList<TextChoice> choices, UsageOutput? usage, Timings? timings, TokenOrigin? origin = null)
        => JsonSerializer.SerializeToUtf8Bytes(
            new TextCompletionResponse(context.Id, "text_completion", context.Created, context.Model, choices, usage, Replies.Fingerprint, timings, origin),
            OpenAiJson.Default.TextCompletionResponse);
}
