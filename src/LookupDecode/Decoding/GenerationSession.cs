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
    private readonly GenerationSetup _setup;
    private int _busy;

    internal GenerationSession(LlamaModel model, NativeContext context, ILogger logger)
    {
        Model = model;
        _context = context;
        _setup = new GenerationSetup(model, logger);
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
        CheckRequest(promptTokens, options);
        using var exclusive = Enter();
        using var selector = GenerationSetup.CreateSelector(_context, options.Sampling, promptTokens);
        var drafter = _setup.CreatePlanner(options, out var fallback);
        return _loop.Run(_context, promptTokens, options, drafter, selector, onToken, fallback, cancellationToken);
    }

    /// <summary>
    /// Forced replay: runs the real decoding loop (drafting, batch verification, KV rollback, statistics) with
    /// <paramref name="forcedTokens"/> emitted in place of the model's own choices, for at most
    /// <see cref="GenerationOptions.MaxTokens"/> of them. The model computes every batch at its real cost, and a draft is
    /// accepted exactly when the recorded stream continues with it, so this measures the wall-clock speed drafting would
    /// reach for a model that writes what the trace holds. The sampling options are not used.
    /// </summary>
    /// <exception cref="InvalidOptionException">An option is out of range, the prompt is empty or a token is outside the vocabulary.</exception>
    /// <exception cref="PromptTooLongException">Prompt and forced tokens do not fit the context.</exception>
    /// <exception cref="GenerationCanceledException">Cancelled; carries the tokens replayed so far.</exception>
    public GenerationResult Replay(
        ReadOnlySpan<int> promptTokens,
        ReadOnlySpan<int> forcedTokens,
        GenerationOptions options,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Replay(promptTokens, forcedTokens.ToArray(), options, planner: null, cancellationToken);
    }

    /// <summary>
    /// Forced replay with a planner chosen by the caller (an oracle that knows the trace), or, when
    /// <paramref name="planner"/> is null, the one <paramref name="options"/> name.
    /// </summary>
    internal GenerationResult Replay(ReadOnlySpan<int> promptTokens, int[] forcedTokens, GenerationOptions options, IDraftPlanner? planner, CancellationToken cancellationToken)
    {
        try
        {
            options.Validate();
            if (forcedTokens.Length == 0)
            {
                throw new InvalidOptionException("forced tokens", "is empty: a replay needs at least one recorded token");
            }

            // The exact limit: the recording ends where it ends (llama-lookup's overshooting rule would read past it).
            options = options with { MaxTokens = Math.Min(forcedTokens.Length, options.MaxTokens), Sampling = SamplingOptions.Greedy, UpstreamStoppingRule = false };
            CheckRequest(promptTokens, options);
            GenerationSetup.CheckTokens(Model, forcedTokens, "forced tokens");
            if (promptTokens.Length + options.MaxTokens + 1 > _context.Size)
            {
                throw new PromptTooLongException(promptTokens.Length + options.MaxTokens, _context.Size);
            }
        }
        catch
        {
            // A planner handed in is ours to release once the replay cannot run.
            planner?.Dispose();
            throw;
        }

        using var exclusive = Enter();
        using var selector = new TraceSelector(forcedTokens);
        string? fallback = null;
        planner ??= _setup.CreatePlanner(options, out fallback);
        return _loop.Run(_context, promptTokens, options, planner, selector, onToken: null, fallback, cancellationToken);
    }

    /// <summary>
    /// Checks a request as <see cref="Generate(ReadOnlySpan{int}, GenerationOptions?, Action{TokenEvent}?, CancellationToken)"/>
    /// does before it runs, without running it: a caller about to do slow preparation (a first calibration) can fail fast.
    /// </summary>
    /// <exception cref="InvalidOptionException">An option is out of range, the prompt is empty or a token is outside the vocabulary.</exception>
    /// <exception cref="PromptTooLongException">The prompt leaves no room in the context.</exception>
    public void CheckRequest(ReadOnlySpan<int> promptTokens, GenerationOptions options)
        => GenerationSetup.CheckRequest(Model, promptTokens, options, _context.Size);

    /// <summary>Claims the session for one run; disposing the returned lease releases it.</summary>
    private ExclusiveUse Enter()
    {
        if (Interlocked.Exchange(ref _busy, 1) != 0)
        {
            throw new InvalidOperationException("This session is already generating; create one session per concurrent caller.");
        }

        return new ExclusiveUse(this);
    }

    private readonly struct ExclusiveUse(GenerationSession session) : IDisposable
    {
        public void Dispose() => Volatile.Write(ref session._busy, 0);
    }

    /// <inheritdoc />
    public void Dispose() => _context.Dispose();

    /// <summary>Measures <see cref="LlamaModel.BatchLogitDifference"/> on this session's context (which it leaves empty).</summary>
    internal float MeasureBatchLogitDifference()
    {
        // Ordinary tokens of any vocabulary: no text, so no tokenizer and no language assumed.
        return _context.MaxBatchLogitDifference(Calibration.DecodeCostMeasurement.FillerTokens(Model, 8));
    }

    /// <summary>
    /// Batch invariance at a depth: <paramref name="width"/> ordinary tokens after <paramref name="depth"/> decoded singly
    /// and as one batch (<see cref="NativeContext.BatchInvarianceAt"/>), for the measurement matrix. Leaves the cache empty.
    /// </summary>
    internal (float MaxDifference, int ArgmaxMismatches) MeasureBatchInvariance(int depth, int width)
    {
        if (depth < 0 || width < 1 || depth + width > _context.Size)
        {
            throw new InvalidOptionException("depth", $"depth {depth} plus {width} tokens must fit the context of {_context.Size}");
        }

        return _context.BatchInvarianceAt(Calibration.DecodeCostMeasurement.FillerTokens(Model, depth + width), depth, width);
    }

    /// <summary>The cost model adaptive drafting weighs drafts against (<see cref="GenerationSetup.CostModelFor"/>).</summary>
    internal Calibration.CostModel CostModelFor(GenerationOptions options) => _setup.CostModelFor(options);
}
