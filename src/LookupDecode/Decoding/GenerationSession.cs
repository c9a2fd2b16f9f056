using LookupDecode.Drafting;
using LookupDecode.Models;
using LookupDecode.Native;
using LookupDecode.Ngrams;
using Microsoft.Extensions.Logging;

namespace LookupDecode.Decoding;

/// <summary>
/// One llama.cpp context (KV cache) of a <see cref="LlamaModel"/>, able to run one generation at a time.
/// Each generation starts from an empty cache, so a session can be reused after any outcome, including
/// cancellation and errors. Not thread-safe: use one session per concurrent caller. Owns its native
/// context; dispose it before the model.
/// </summary>
public sealed class GenerationSession : IDisposable
{
    private readonly NativeContext _context;
    private readonly DecodingLoop _loop = new();
    private readonly ILogger _logger;
    private readonly Dictionary<string, AcceptanceModel> _acceptance = new(StringComparer.Ordinal);
    private Calibration.CostModel? _costModel;
    private int _busy;

    internal GenerationSession(LlamaModel model, NativeContext context, ILogger logger)
    {
        Model = model;
        _context = context;
        _logger = logger;
    }

    /// <summary>The model this session runs.</summary>
    public LlamaModel Model { get; }

    /// <summary>Tokens the context holds (prompt + generated).</summary>
    public int ContextSize => _context.Size;

    /// <summary>
    /// Tokens llama.cpp allocated for the context: the requested size rounded up (to a multiple of 256). Upstream tools
    /// that work in context-sized chunks (llama-lookup-stats) use this size.
    /// </summary>
    public int AllocatedContextSize => _context.AllocatedSize;

    /// <summary>The KV cache type this session's context uses (<see cref="ModelOptions.KvCacheType"/> resolved).</summary>
    public KvCacheType KvCacheType => _context.KvCacheType;

    /// <summary>The native context, for measurements in this assembly (calibration).</summary>
    internal NativeContext Context => _context;

    /// <summary>Tokenizes <paramref name="prompt"/> and generates; see <see cref="Generate(ReadOnlySpan{int}, GenerationOptions?, Action{TokenEvent}?, CancellationToken)"/>.</summary>
    /// <exception cref="Text.UnsupportedTextException">The vocabulary cannot encode a character of the prompt.</exception>
    public GenerationResult Generate(
        string prompt,
        GenerationOptions? options = null,
        Action<TokenEvent>? onToken = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        return Generate(Model.Tokenize(prompt), options, onToken, cancellationToken);
    }

    /// <summary>
    /// Generates after <paramref name="promptTokens"/>. <paramref name="onToken"/> is called for every token as it is
    /// emitted. Cancellation is observed before every <c>llama_decode</c>, so it takes effect within one step.
    /// </summary>
    /// <exception cref="InvalidOptionException">An option is out of range or the prompt is empty.</exception>
    /// <exception cref="PromptTooLongException">The prompt leaves no room in the context.</exception>
    /// <exception cref="GenerationCanceledException">Cancelled; carries the tokens generated so far.</exception>
    public GenerationResult Generate(
        ReadOnlySpan<int> promptTokens,
        GenerationOptions? options = null,
        Action<TokenEvent>? onToken = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new GenerationOptions();
        options.Validate();
        if (promptTokens.IsEmpty)
        {
            throw new InvalidOptionException("prompt", "is empty: give at least one token (most models add BOS to any text)");
        }

        if (promptTokens.Length + 1 > _context.Size)
        {
            throw new PromptTooLongException(promptTokens.Length, _context.Size);
        }

        foreach (var token in promptTokens)
        {
            if ((uint)token >= (uint)Model.Info.VocabularySize)
            {
                throw new InvalidOptionException("prompt", $"token id {token} is outside the vocabulary of {Model.Info.VocabularySize}");
            }
        }

        if (Interlocked.Exchange(ref _busy, 1) != 0)
        {
            throw new InvalidOperationException("This session is already generating; create one session per concurrent caller.");
        }

        try
        {
            using var selector = CreateSelector(options.Sampling);
            var drafter = CreatePlanner(options, out var fallback);
            return _loop.Run(_context, promptTokens, options, drafter, selector, onToken, fallback, cancellationToken);
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _context.Dispose();

    private ITokenSelector CreateSelector(SamplingOptions sampling)
        => sampling.IsGreedy ? new GreedySelector(_context) : new NativeSampler(_context, sampling);

    /// <summary>Measures <see cref="LlamaModel.BatchLogitDifference"/> on this session's context (which it leaves empty).</summary>
    internal float MeasureBatchLogitDifference()
    {
        var seed = Model.Tokenize("Once upon a time, there was", addSpecial: true, parseSpecial: false);
        Span<int> probe = stackalloc int[8];
        for (var i = 0; i < probe.Length; i++)
        {
            probe[i] = seed[i % seed.Length];
        }

        return _context.MaxBatchLogitDifference(probe);
    }

    private IDraftPlanner? CreatePlanner(GenerationOptions options, out string? fallback)
    {
        fallback = null;
        if (options.Mode == DecodingMode.Greedy)
        {
            return null;
        }

        if (Model.Info.IsRecurrent)
        {
            fallback = $"{Model.Info.Name} is recurrent: its memory cannot roll back rejected drafts, so it runs as plain decoding.";
            _logger.LogWarning("{Fallback}", fallback);
            return null;
        }

        if (!options.Sampling.IsGreedy && options.Sampling.SeedExact && Model.BatchLogitDifference(this) is var difference and > 0)
        {
            fallback = $"batched logits of {Model.Info.Name} differ from single-token logits by up to {difference:G3} on this backend, "
                       + "so sampled drafts could change individual draws; ran plain sampling to stay identical to it with the same seed "
                       + "(SamplingOptions.SeedExact = false drafts anyway, distribution-preserving).";
            return null;
        }

        var sources = new List<IScoredDraftSource>(2);
        if (options.Mode is DecodingMode.Lookup or DecodingMode.Auto)
        {
            var caches = options.Lookup;
            CheckFitsVocabulary(caches.StaticCache, "static cache");
            CheckFitsVocabulary(caches.DynamicCache, "dynamic cache");
            sources.Add(new NgramCacheDrafter(caches.StaticCache, caches.DynamicCache, caches.DynamicCacheSavePath));
        }

        if (options.Mode is DecodingMode.PromptLookup or DecodingMode.Auto)
        {
            sources.Add(new PromptLookupDrafter(options.PromptLookup, Model.IsEndOfGeneration));
        }

        if (!options.IsAdaptive)
        {
            return new FixedDraftPlanner(sources[0]);
        }

        var cost = options.Adaptive.CostModel ?? (_costModel ??= new Calibration.CostModel(
            Model.CostCurve(this, Math.Max(options.DraftLength + 1, 17), options.Adaptive.CostModelDirectory, options.Adaptive.CalibrationProgress)));
        var models = sources.Select(source =>
        {
            if (!_acceptance.TryGetValue(source.Name, out var model))
            {
                _acceptance[source.Name] = model = new AcceptanceModel(source);
            }

            return model;
        }).ToArray();
        return new AdaptiveDraftPlanner(sources, models, cost, options.DraftLength);
    }

    private void CheckFitsVocabulary(NgramCache? cache, string what)
    {
        if (cache is not null && cache.MaxTokenId >= Model.Info.VocabularySize)
        {
            throw new InvalidOptionException(what,
                $"holds token id {cache.MaxTokenId} but {Model.Info.Name} has {Model.Info.VocabularySize} tokens: it was made with another tokenizer");
        }
    }
}
