using System.Runtime.CompilerServices;
using LookupDecode.Decoding;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace LookupDecode.Hosting;

/// <summary>
/// <see cref="IChatClient"/> over the hosted model with lookup decoding. Each request rents a session from the pool
/// (waiting, cancellably, when all are busy), formats the messages with the chat template, and generates with the
/// request's <see cref="ChatOptions"/> (MaxOutputTokens, Temperature, Seed, TopK, TopP, StopSequences). Usage and the
/// speculative statistics (<see cref="ChatStatistics"/>) come back with the response. The reply text is exactly what
/// plain greedy decoding of the same prompt produces.
/// </summary>
public sealed class LookupChatClient : IChatClient
{
    private readonly ModelHost _host;
    private readonly HostedGenerator _generator;
    private readonly LookupDecodeOptions _options;

    /// <summary>Created by DI.</summary>
    public LookupChatClient(ModelHost host, HostedGenerator generator, IOptions<LookupDecodeOptions> options)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(options);
        _host = host;
        _generator = generator;
        _options = options.Value;
    }

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var generation = Prepare(messages, options);
        var result = await _generator.GenerateAsync(generation, cancellationToken).ConfigureAwait(false);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, result.Text))
        {
            ResponseId = Guid.NewGuid().ToString("N"),
            ModelId = _host.Model.Info.Name,
            CreatedAt = DateTimeOffset.UtcNow,
            FinishReason = FinishReason(result.StopReason),
            Usage = Usage(generation.Prompt.Length, result),
            AdditionalProperties = ChatStatistics.From(result.Statistics, generation.Options.Drafting),
        };
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var generation = Prepare(messages, options);
        var responseId = Guid.NewGuid().ToString("N");
        var streamed = 0;
        await foreach (var update in _generator.StreamAsync(generation, cancellationToken).ConfigureAwait(false))
        {
            if (update.Result is { } result)
            {
                var remainder = result.Text.Length > streamed ? result.Text[streamed..] : "";
                yield return new ChatResponseUpdate(ChatRole.Assistant, [new TextContent(remainder), new UsageContent(Usage(generation.Prompt.Length, result))])
                {
                    ResponseId = responseId,
                    MessageId = responseId,
                    ModelId = _host.Model.Info.Name,
                    FinishReason = FinishReason(result.StopReason),
                    AdditionalProperties = ChatStatistics.From(result.Statistics, generation.Options.Drafting),
                };
                continue;
            }

            if (update.Token.Text.Length == 0)
            {
                continue;
            }

            streamed += update.Token.Text.Length;
            yield return new ChatResponseUpdate(ChatRole.Assistant, update.Token.Text)
            {
                ResponseId = responseId,
                MessageId = responseId,
                ModelId = _host.Model.Info.Name,
                AdditionalProperties = new AdditionalPropertiesDictionary { [ChatStatistics.WasDrafted] = update.Token.WasDrafted },
            };
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(ChatClientMetadata))
        {
            return new ChatClientMetadata("LookupDecode", defaultModelId: Path.GetFileName(_options.ModelPath));
        }

        return serviceType.IsInstanceOfType(this) ? this : serviceType.IsInstanceOfType(_host) ? _host : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // The model and pool belong to ModelHost, which the host disposes.
    }

    private PreparedGeneration Prepare(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var prompt = _generator.ChatPrompt(messages);
        var properties = options?.AdditionalProperties;
        var request = new HostedRequest
        {
            MaxTokens = options?.MaxOutputTokens,
            Temperature = options?.Temperature,
            TopP = options?.TopP,
            TopK = options?.TopK,
            Seed = options?.Seed,
            StopSequences = options?.StopSequences?.ToArray() ?? [],
            Drafting = properties?.TryGetValue(ChatStatistics.ModeOption, out var modeValue) == true && modeValue is string modeName ? modeName : null,
            DraftLength = properties?.TryGetValue(ChatStatistics.DraftLengthOption, out var draftValue) == true ? Convert.ToInt32(draftValue, System.Globalization.CultureInfo.InvariantCulture) : null,
            CacheKey = properties?.TryGetValue(ChatStatistics.CacheKeyOption, out var key) == true && key is string text ? text : null,
            ConversationId = options?.ConversationId,
        };
        return _generator.Prepare(prompt, request);
    }

    private static UsageDetails Usage(int promptTokens, GenerationResult result) => new()
    {
        InputTokenCount = promptTokens,
        OutputTokenCount = result.Tokens.Count,
        TotalTokenCount = promptTokens + result.Tokens.Count,
    };

    private static ChatFinishReason FinishReason(StopReason reason)
        => reason is StopReason.EndOfGeneration or StopReason.StopSequence ? ChatFinishReason.Stop : ChatFinishReason.Length;
}
