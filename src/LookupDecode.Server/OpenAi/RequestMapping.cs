using System.Text.Json;
using LookupDecode.Hosting;
using Microsoft.Extensions.AI;

namespace LookupDecode.Server.OpenAi;

/// <summary>
/// Checks an OpenAI request's fields (OpenAI's ranges, named as OpenAI names them) and turns them into a
/// <see cref="HostedRequest"/>. Fields this server cannot honour exactly (n &gt; 1, penalties, logprobs, tools, …) are
/// refused with a 400 rather than silently ignored.
/// </summary>
internal static class RequestMapping
{
    private const int MaxStopSequences = 16;
    private const int MaxCacheKeyLength = 256;

    public static HostedRequest ToHostedRequest(CompletionRequestBase body, int? maxTokens)
    {
        if (body.N is { } n && n != 1)
        {
            throw ApiError.BadRequest($"'n' must be 1: one choice per request is served, was {n}.", "n");
        }

        if (maxTokens is < 1)
        {
            throw ApiError.BadRequest($"The token limit must be at least 1, was {maxTokens}.", body is ChatCompletionRequest { MaxCompletionTokens: not null } ? "max_completion_tokens" : "max_tokens");
        }

        CheckRange(body.Temperature, 0, 2, "temperature");
        CheckRange(body.TopP, 0, 1, "top_p");
        if (body.TopP is 0)
        {
            throw ApiError.BadRequest("'top_p' must be greater than 0.", "top_p");
        }

        if (body.TopK is < 0)
        {
            throw ApiError.BadRequest($"'top_k' must be 0 (off) or more, was {body.TopK}.", "top_k");
        }

        RefuseUnless(body.PresencePenalty is null or 0, "presence_penalty", "a presence penalty is not supported");
        RefuseUnless(body.FrequencyPenalty is null or 0, "frequency_penalty", "a frequency penalty is not supported");
        RefuseUnless(body.LogitBias is not { } bias || bias.ValueKind == JsonValueKind.Null || (bias.ValueKind == JsonValueKind.Object && !bias.EnumerateObject().Any()),
            "logit_bias", "logit bias is not supported");
        RefuseUnless(body.StreamOptions is null || body.Stream == true, "stream_options", "only allowed with 'stream': true");
        var stops = body.Stop ?? [];
        if (stops.Count > MaxStopSequences)
        {
            throw ApiError.BadRequest($"'stop' holds at most {MaxStopSequences} sequences, had {stops.Count}.", "stop");
        }

        if (stops.Any(string.IsNullOrEmpty))
        {
            throw ApiError.BadRequest("'stop' sequences must not be empty.", "stop");
        }

        if (body.Lookupdecode?.CacheKey is { } cacheKey && (cacheKey.Length is 0 or > MaxCacheKeyLength || cacheKey.Any(char.IsControl)))
        {
            throw ApiError.BadRequest($"'lookupdecode.cache_key' must be 1 to {MaxCacheKeyLength} characters without control characters.", "lookupdecode.cache_key");
        }

        return new HostedRequest
        {
            MaxTokens = maxTokens,
            Temperature = body.Temperature is { } temperature ? (float)temperature : null,
            TopP = body.TopP is { } topP ? (float)topP : null,
            TopK = body.TopK,
            Seed = body.Seed,
            StopSequences = stops,
            Drafting = body.Lookupdecode?.Mode,
            DraftLength = body.Lookupdecode?.DraftLength,
            CacheKey = body.Lookupdecode?.CacheKey,
        };
    }

    public static IReadOnlyList<ChatMessage> Messages(ChatCompletionRequest body)
    {
        RefuseUnless(body.Logprobs is null or false && body.TopLogprobs is null or 0, "logprobs", "log probabilities are not supported");
        RefuseUnless(body.Tools is not { } tools || tools.ValueKind == JsonValueKind.Null || (tools.ValueKind == JsonValueKind.Array && tools.GetArrayLength() == 0),
            "tools", "tool calling is not supported");
        RefuseUnless(body.ResponseFormat is not { } format || format.ValueKind == JsonValueKind.Null
            || (format.ValueKind == JsonValueKind.Object && format.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "text"),
            "response_format", "only {\"type\":\"text\"} is supported");
        if (body.Messages is not { Count: > 0 } messages)
        {
            throw ApiError.BadRequest("'messages' must hold at least one message.", "messages");
        }

        var result = new List<ChatMessage>(messages.Count);
        for (var index = 0; index < messages.Count; index++)
        {
            var message = messages[index] ?? throw ApiError.BadRequest($"'messages[{index}]' must be an object.", $"messages[{index}]");
            var role = message.Role switch
            {
                "system" or "developer" => ChatRole.System,
                "user" => ChatRole.User,
                "assistant" => ChatRole.Assistant,
                "tool" => ChatRole.Tool,
                null => throw ApiError.BadRequest($"'messages[{index}].role' is required.", $"messages[{index}].role"),
                var other => throw ApiError.BadRequest($"'messages[{index}].role' must be system, developer, user, assistant or tool, was '{other}'.", $"messages[{index}].role"),
            };
            result.Add(new ChatMessage(role, message.Content ?? ""));
        }

        return result;
    }

    public static void CheckTextRequest(TextCompletionRequest body)
    {
        if (body.Prompt is not { } prompt)
        {
            throw ApiError.BadRequest("'prompt' is required.", "prompt");
        }

        RefuseUnless(prompt.Count == 1, "prompt", $"one prompt per request is served, got {prompt.Count}");
        RefuseUnless(prompt.Tokens is null || prompt.Tokens.Length > 0, "prompt", "a token prompt must hold at least one token");
        RefuseUnless(body.Echo is null or false, "echo", "echoing the prompt is not supported");
        RefuseUnless(string.IsNullOrEmpty(body.Suffix), "suffix", "insertion (a suffix) is not supported");
        RefuseUnless(body.BestOf is null or 1, "best_of", "must be 1");
        RefuseUnless(body.Logprobs is null or 0, "logprobs", "log probabilities are not supported");
    }

    /// <summary>Maps an engine option name to the request field it came from.</summary>
    public static string? FieldOf(string optionName) => optionName switch
    {
        "MaxTokens" => "max_tokens",
        "Temperature" => "temperature",
        "TopP" => "top_p",
        "TopK" => "top_k",
        "Seed" => "seed",
        "StopSequences" => "stop",
        ChatStatistics.ModeOption => "lookupdecode.mode",
        ChatStatistics.DraftLengthOption => "lookupdecode.draft_length",
        "prompt" => "prompt",
        "messages" => "messages",
        _ => null,
    };

    private static void CheckRange(double? value, double min, double max, string field)
    {
        if (value is { } number && (!double.IsFinite(number) || number < min || number > max))
        {
            throw ApiError.BadRequest($"'{field}' must be between {min} and {max}, was {number}.", field);
        }
    }

    private static void RefuseUnless(bool condition, string field, string problem)
    {
        if (!condition)
        {
            throw ApiError.BadRequest($"'{field}': {problem}.", field);
        }
    }
}
