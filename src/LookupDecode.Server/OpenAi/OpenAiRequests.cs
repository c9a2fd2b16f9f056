using System.Text.Json;
using System.Text.Json.Serialization;

namespace LookupDecode.Server.OpenAi;

/// <summary>The fields of OpenAI's chat and text completion requests this server reads (unknown fields are ignored).</summary>
internal abstract class CompletionRequestBase
{
    public string? Model { get; set; }

    public int? MaxTokens { get; set; }

    public double? Temperature { get; set; }

    public double? TopP { get; set; }

    /// <summary>llama-server's extension; OpenAI has no top_k.</summary>
    public int? TopK { get; set; }

    public long? Seed { get; set; }

    [JsonConverter(typeof(StopSequencesConverter))]
    public List<string>? Stop { get; set; }

    public bool? Stream { get; set; }

    public StreamOptions? StreamOptions { get; set; }

    public int? N { get; set; }

    public double? PresencePenalty { get; set; }

    public double? FrequencyPenalty { get; set; }

    public JsonElement? LogitBias { get; set; }

    public string? User { get; set; }

    /// <summary>LookupDecode's extension: how to draft.</summary>
    public DraftingExtension? Lookupdecode { get; set; }
}

internal sealed class StreamOptions
{
    public bool? IncludeUsage { get; set; }
}

/// <summary>The request's <c>"lookupdecode"</c> object.</summary>
internal sealed class DraftingExtension
{
    /// <summary>Drafting preset (auto, greedy, suffix, pld, …).</summary>
    public string? Mode { get; set; }

    public int? DraftLength { get; set; }

    /// <summary>Key of the cross-request memory (tenant or conversation).</summary>
    public string? CacheKey { get; set; }
}

internal sealed class ChatCompletionRequest : CompletionRequestBase
{
    public List<ChatMessageInput>? Messages { get; set; }

    public int? MaxCompletionTokens { get; set; }

    public bool? Logprobs { get; set; }

    public int? TopLogprobs { get; set; }

    public JsonElement? Tools { get; set; }

    public JsonElement? ToolChoice { get; set; }

    public JsonElement? ResponseFormat { get; set; }
}

internal sealed class ChatMessageInput
{
    public string? Role { get; set; }

    /// <summary>A string, or text parts (<c>[{"type":"text","text":…}]</c>) joined.</summary>
    [JsonConverter(typeof(MessageContentConverter))]
    public string? Content { get; set; }

    public string? Name { get; set; }
}

internal sealed class TextCompletionRequest : CompletionRequestBase
{
    [JsonConverter(typeof(PromptInputConverter))]
    public PromptInput? Prompt { get; set; }

    public int? Logprobs { get; set; }

    public bool? Echo { get; set; }

    public string? Suffix { get; set; }

    public int? BestOf { get; set; }
}

/// <summary>A completion prompt: text, or token ids; <see cref="Count"/> prompts were sent (only one is served).</summary>
internal sealed record PromptInput(string? Text, int[]? Tokens, int Count);
