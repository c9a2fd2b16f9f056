using System.Runtime.CompilerServices;
using System.Threading.Channels;
using LookupDecode.Decoding;
using LookupDecode.Drafting;
using LookupDecode.Models;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace LookupDecode.Hosting;

/// <summary>
/// Runs requests on the hosted model: turns a <see cref="HostedRequest"/> into checked generation options, rents a
/// session from the pool (refused at once when its waiting line is full), attaches the request's dynamic cache, suffix
/// memory and draft model, and generates — whole or streamed. Shared by <see cref="LookupChatClient"/> and servers.
/// </summary>
public sealed class HostedGenerator
{
    private const string SharedMemoryKey = "default";
    private readonly ModelHost _host;
    private readonly Memory.IDraftMemoryStore _memory;
    private readonly LookupDecodeOptions _options;

    /// <summary>Created by DI.</summary>
    public HostedGenerator(ModelHost host, Memory.IDraftMemoryStore memory, IOptions<LookupDecodeOptions> options)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(options);
        _host = host;
        _memory = memory;
        _options = options.Value;
    }

    /// <summary>The hosted model (throws until the host has started).</summary>
    public LlamaModel Model => _host.Model;

    /// <summary>The engine requests run in (null with per-request contexts; throws until the host has started).</summary>
    public DecodingEngine? Engine => _host.Engine;

    /// <summary>Tokens each session's context holds (<see cref="Models.ModelOptions.ContextSize"/>).</summary>
    public int ContextSize => _options.Model.ContextSize;

    /// <summary>How many tokens a generation after <paramref name="prompt"/> can add before the context is full.</summary>
    public int RoomAfter(ReadOnlySpan<int> prompt) => ContextSize - prompt.Length - 1;

    /// <summary>
    /// Formats <paramref name="messages"/> with the configured chat template and tokenizes the prompt: message text as
    /// text (a message cannot forge a control token), the template's markers as special tokens.
    /// </summary>
    /// <exception cref="InvalidOptionException">There is no message, or one holds a control token's text the template cannot keep as text.</exception>
    /// <exception cref="Text.UnsupportedTextException">The vocabulary cannot encode a character.</exception>
    public int[] ChatPrompt(IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return Hosting.ChatPrompt.Tokenize(Model, messages, _options.ChatTemplate);
    }

    /// <summary>Tokenizes a raw text prompt as the CLI's <c>--prompt</c> does (BOS added when the model adds one).</summary>
    /// <exception cref="Text.UnsupportedTextException">The vocabulary cannot encode a character.</exception>
    public int[] TextPrompt(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Model.Tokenize(text);
    }

    /// <summary>Applies defaults to <paramref name="request"/> and checks every value.</summary>
    /// <exception cref="InvalidOptionException">A value is out of range; the option name is the request field's.</exception>
    public PreparedGeneration Prepare(int[] prompt, HostedRequest request)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(request);
        DraftingPlan plan;
        try
        {
            plan = LookupDecodeOptionsValidator.PlanFor(request.Drafting ?? _options.DefaultDrafting, request.DraftLength ?? _options.DraftLength);
        }
        catch (InvalidOptionException exception)
        {
            throw new InvalidOptionException(exception.OptionName == "preset" ? ChatStatistics.ModeOption : ChatStatistics.DraftLengthOption, exception.Problem);
        }

        var sampling = new SamplingOptions
        {
            Temperature = request.Temperature ?? 0f,
            // Without a seed, sampled replies differ from call to call (as OpenAI's do); greedy ignores the seed.
            Seed = request.Seed is { } seed ? unchecked((uint)seed) : request.Temperature > 0 ? (uint)Random.Shared.NextInt64(0, uint.MaxValue) : SamplingOptions.Greedy.Seed,
            TopK = request.TopK ?? SamplingOptions.Greedy.TopK,
            TopP = request.TopP ?? SamplingOptions.Greedy.TopP,
        };
        // The default limit shrinks to fit the context; an explicit one is the caller's (generation stops when the context is full).
        var room = RoomAfter(prompt);
        var generation = new GenerationOptions
        {
            MaxTokens = request.MaxTokens ?? Math.Max(1, Math.Min(_options.DefaultMaxOutputTokens, room)),
            Drafting = plan,
            Sampling = sampling,
            StopSequences = request.StopSequences,
            RenderSpecialTokens = false,
        };
        generation.Validate();

        // Memory is shared per explicit cache key, else by every request: a conversation's own history is already in its prompt.
        var cacheKey = UsesCaches(plan) ? request.CacheKey ?? request.ConversationId : null;
        return new PreparedGeneration(prompt, generation, cacheKey, request.CacheKey ?? SharedMemoryKey);
    }

    /// <summary>Waits for a sequence and generates the whole reply.</summary>
    /// <exception cref="EngineFullException">Every sequence is busy and the waiting line is full.</exception>
    /// <exception cref="SessionPoolFullException">The same, with per-request contexts.</exception>
    /// <exception cref="GenerationCanceledException">Cancelled while generating.</exception>
    public async Task<GenerationResult> GenerateAsync(PreparedGeneration generation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(generation);
        // Admitted first (bounded, whatever it then waits on), then the key's dynamic cache: a request waiting for it must
        // not hold a sequence idle.
        using var admitted = _host.Admit();
        using var memories = await AcquireMemoriesAsync(generation, cancellationToken).ConfigureAwait(false);
        var options = WithMemories(generation.Options, memories);
        var result = await RunAsync(generation.Prompt, options, null, cancellationToken).ConfigureAwait(false);
        await RecordAsync(generation, result).ConfigureAwait(false);
        return result;
    }

    /// <summary>Runs one generation in the engine, or in a rented context with per-request contexts.</summary>
    private async Task<GenerationResult> RunAsync(int[] prompt, GenerationOptions options, Action<TokenEvent>? onToken, CancellationToken cancellationToken)
    {
        if (_host.Engine is { } engine)
        {
            return await engine.GenerateAsync(prompt, options, onToken, cancellationToken).ConfigureAwait(false);
        }

        using var lease = await _host.Sessions!.RentAsync(cancellationToken).ConfigureAwait(false);
        return await Task.Run(() => lease.Session.Generate(prompt, options, onToken, cancellationToken), CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits for a sequence and streams the reply: one update per emitted token, then one carrying the result. A caller
    /// that stops reading (or cancels) stops the generation within one step and frees its sequence.
    /// </summary>
    /// <exception cref="EngineFullException">Every sequence is busy and the waiting line is full (before any update).</exception>
    /// <exception cref="SessionPoolFullException">The same, with per-request contexts.</exception>
    public async IAsyncEnumerable<GenerationUpdate> StreamAsync(PreparedGeneration generation, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(generation);
        // Admitted first (bounded, whatever it then waits on), then the key's dynamic cache: a request waiting for it must
        // not hold a sequence idle.
        using var admitted = _host.Admit();
        using var memories = await AcquireMemoriesAsync(generation, cancellationToken).ConfigureAwait(false);
        var options = WithMemories(generation.Options, memories);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tokens = Channel.CreateUnbounded<TokenEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        // A full waiting line faults the producer before any token, so the caller sees the refusal before any update.
        var producer = Produce(generation.Prompt, options, tokens.Writer, stop.Token);

        try
        {
            await foreach (var token in tokens.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return new GenerationUpdate(token, null);
            }

            var result = await producer.ConfigureAwait(false);
            await RecordAsync(generation, result).ConfigureAwait(false);
            yield return new GenerationUpdate(default, result);
        }
        finally
        {
            // The caller may stop reading early: stop generating and wait, so its sequence is free and clean.
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

    private async Task<GenerationResult> Produce(int[] prompt, GenerationOptions options, ChannelWriter<TokenEvent> tokens, CancellationToken cancellationToken)
    {
        try
        {
            return await RunAsync(prompt, options, token => tokens.TryWrite(token), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            tokens.TryComplete();
        }
    }

    /// <summary>Whether the plan drafts from the n-gram caches (whatever preset names it: lookup, auto, llama-lookup, …).</summary>
    private static bool UsesCaches(DraftingPlan plan) => plan.Drafters.Contains(DraftingPlan.Lookup);

    private static bool UsesSuffixMemory(DraftingPlan plan) => plan.Drafters.Contains(DraftingPlan.Suffix);

    private static string? SuffixMemoryKey(PreparedGeneration generation) => UsesSuffixMemory(generation.Options.Drafting) ? generation.MemoryKey : null;

    private Task<Memory.DraftMemories> AcquireMemoriesAsync(PreparedGeneration generation, CancellationToken cancellationToken)
        => _memory.AcquireAsync(generation.CacheKey, SuffixMemoryKey(generation), cancellationToken);

    private Task RecordAsync(PreparedGeneration generation, GenerationResult result)
        => _memory.RecordAsync(generation.CacheKey, SuffixMemoryKey(generation), generation.Prompt, result.Tokens, CancellationToken.None);

    private GenerationOptions WithMemories(GenerationOptions options, Memory.DraftMemories memories)
    {
        if (UsesCaches(options.Drafting))
        {
            options = options with { Lookup = new LookupCacheOptions { StaticCache = _host.StaticCache, DynamicCache = memories.DynamicCache } };
        }

        if (options.Drafting.UsesDraftModel(_host.DraftModel is not null))
        {
            options = options with { DraftModel = new Drafting.DraftModel.DraftModelOptions { Model = _host.DraftModel, MinProbability = _options.DraftMinProbability } };
        }

        return UsesSuffixMemory(options.Drafting) ? options with { SuffixMemory = memories.SuffixMemory } : options;
    }
}

/// <summary>A request with defaults applied and checked, ready to run (<see cref="HostedGenerator.Prepare"/>).</summary>
/// <param name="Prompt">Prompt tokens.</param>
/// <param name="Options">Generation options (caches are attached when it runs).</param>
/// <param name="CacheKey">Dynamic-cache key, or null for none.</param>
/// <param name="MemoryKey">Suffix-memory key.</param>
public sealed record PreparedGeneration(int[] Prompt, GenerationOptions Options, string? CacheKey, string MemoryKey);

/// <summary>One streamed update: a token, or (last) the finished result.</summary>
/// <param name="Token">The emitted token (default on the last update).</param>
/// <param name="Result">The result, on the last update only.</param>
public readonly record struct GenerationUpdate(TokenEvent Token, GenerationResult? Result)
{
    /// <summary>True on the last update, which carries <see cref="Result"/>.</summary>
    public bool IsFinal => Result is not null;
}
