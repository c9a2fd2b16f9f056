using System.Runtime.CompilerServices;
using System.Threading.Channels;
using LookupDecode.Decoding;
using LookupDecode.Drafting;
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
    private readonly LookupDecodeOptions _options;

    /// <summary>Created by DI.</summary>
    public LookupChatClient(ModelHost host, IOptions<LookupDecodeOptions> options)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(options);
        _host = host;
        _options = options.Value;
    }

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var request = Prepare(messages, options);
        using var lease = await _host.Sessions.RentAsync(cancellationToken).ConfigureAwait(false);
        using var cache = await AcquireCacheAsync(request.CacheKey, cancellationToken).ConfigureAwait(false);
        var generation = WithCaches(request.Options, cache, request.MemoryKey);
        var result = await Task.Run(() => lease.Session.Generate(request.Prompt, generation, null, cancellationToken), cancellationToken).ConfigureAwait(false);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, result.Text))
        {
            ResponseId = Guid.NewGuid().ToString("N"),
            ModelId = _host.Model.Info.Name,
            CreatedAt = DateTimeOffset.UtcNow,
            FinishReason = FinishReason(result.StopReason),
            Usage = Usage(request.Prompt.Length, result),
            AdditionalProperties = ChatStatistics.From(result.Statistics, generation.Drafting),
        };
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = Prepare(messages, options);
        using var lease = await _host.Sessions.RentAsync(cancellationToken).ConfigureAwait(false);
        using var cache = await AcquireCacheAsync(request.CacheKey, cancellationToken).ConfigureAwait(false);
        var generation = WithCaches(request.Options, cache, request.MemoryKey);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tokens = Channel.CreateUnbounded<TokenEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var producer = Task.Run(() =>
        {
            try
            {
                return lease.Session.Generate(request.Prompt, generation, token => tokens.Writer.TryWrite(token), stop.Token);
            }
            finally
            {
                tokens.Writer.TryComplete();
            }
        }, CancellationToken.None);

        var responseId = Guid.NewGuid().ToString("N");
        var streamed = 0;
        try
        {
            await foreach (var token in tokens.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (token.Text.Length == 0)
                {
                    continue;
                }

                streamed += token.Text.Length;
                yield return new ChatResponseUpdate(ChatRole.Assistant, token.Text)
                {
                    ResponseId = responseId,
                    MessageId = responseId,
                    ModelId = _host.Model.Info.Name,
                    AdditionalProperties = new AdditionalPropertiesDictionary { [ChatStatistics.WasDrafted] = token.WasDrafted },
                };
            }

            var result = await producer.ConfigureAwait(false);
            var remainder = result.Text.Length > streamed ? result.Text[streamed..] : "";
            yield return new ChatResponseUpdate(ChatRole.Assistant, [new TextContent(remainder), new UsageContent(Usage(request.Prompt.Length, result))])
            {
                ResponseId = responseId,
                MessageId = responseId,
                ModelId = _host.Model.Info.Name,
                FinishReason = FinishReason(result.StopReason),
                AdditionalProperties = ChatStatistics.From(result.Statistics, generation.Drafting),
            };
        }
        finally
        {
            // The caller may stop reading early: stop generating and wait, so the session goes back to the pool clean.
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await producer.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
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

    private Request Prepare(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var model = _host.Model;
        var prompt = model.Tokenize(ChatPrompt.Format(model, messages, _options.ChatTemplate));
        var properties = options?.AdditionalProperties;
        var preset = properties?.TryGetValue(ChatStatistics.ModeOption, out var modeValue) == true && modeValue is string modeName
            ? modeName
            : _options.DefaultDrafting;
        var draftLength = properties?.TryGetValue(ChatStatistics.DraftLengthOption, out var draftValue) == true ? Convert.ToInt32(draftValue, System.Globalization.CultureInfo.InvariantCulture) : _options.DraftLength;
        Drafting.DraftingPlan plan;
        try
        {
            plan = LookupDecodeOptionsValidator.PlanFor(preset, draftLength);
        }
        catch (Models.InvalidOptionException exception)
        {
            throw new Models.InvalidOptionException(exception.OptionName == "preset" ? ChatStatistics.ModeOption : ChatStatistics.DraftLengthOption, exception.Problem);
        }

        var sampling = new SamplingOptions
        {
            Temperature = options?.Temperature ?? 0f,
            Seed = options?.Seed is { } seed ? unchecked((uint)seed) : SamplingOptions.Greedy.Seed,
            TopK = options?.TopK ?? SamplingOptions.Greedy.TopK,
            TopP = options?.TopP ?? SamplingOptions.Greedy.TopP,
        };
        var generation = new GenerationOptions
        {
            MaxTokens = options?.MaxOutputTokens ?? _options.DefaultMaxOutputTokens,
            Drafting = plan,
            Sampling = sampling,
            StopSequences = options?.StopSequences?.ToArray() ?? [],
            RenderSpecialTokens = false,
        };
        generation.Validate();
        var explicitKey = properties?.TryGetValue(ChatStatistics.CacheKeyOption, out var key) == true && key is string text ? text : null;
        var cacheKey = explicitKey ?? options?.ConversationId;

        // Memory is shared per explicit cache key, else by every request ("default"): a conversation's own history is already in its prompt.
        var memoryKey = explicitKey ?? "default";
        return new Request(prompt, generation, UsesCaches(plan) ? cacheKey : null, memoryKey);
    }

    private async Task<DynamicCacheLease?> AcquireCacheAsync(string? key, CancellationToken cancellationToken)
        => key is null ? null : await _host.DynamicCaches.AcquireAsync(key, cancellationToken).ConfigureAwait(false);

    /// <summary>Whether the plan drafts from the n-gram caches (whatever preset names it: lookup, auto, llama-lookup, …).</summary>
    private static bool UsesCaches(Drafting.DraftingPlan plan) => plan.Drafters.Contains(Drafting.DraftingPlan.Lookup);

    private GenerationOptions WithCaches(GenerationOptions options, DynamicCacheLease? cache, string memoryKey)
    {
        if (UsesCaches(options.Drafting))
        {
            options = options with { Lookup = new LookupCacheOptions { StaticCache = _host.StaticCache, DynamicCache = cache?.Cache } };
        }

        if (options.Drafting.Drafters.Contains(Drafting.DraftingPlan.DraftModel))
        {
            options = options with { DraftModel = new Drafting.DraftModel.DraftModelOptions { Model = _host.DraftModel, MinProbability = _options.DraftMinProbability } };
        }

        return options.Drafting.Drafters.Contains(Drafting.DraftingPlan.Suffix)
            ? options with { SuffixMemory = _host.SuffixMemories.Get(memoryKey) }
            : options;
    }

    private static UsageDetails Usage(int promptTokens, GenerationResult result) => new()
    {
        InputTokenCount = promptTokens,
        OutputTokenCount = result.Tokens.Count,
        TotalTokenCount = promptTokens + result.Tokens.Count,
    };

    private static ChatFinishReason FinishReason(StopReason reason)
        => reason is StopReason.EndOfGeneration or StopReason.StopSequence ? ChatFinishReason.Stop : ChatFinishReason.Length;

    private sealed record Request(int[] Prompt, GenerationOptions Options, string? CacheKey, string MemoryKey);
}
