using System.Diagnostics;
using LookupDecode.Models;
using LookupDecode.Native;
using LookupDecode.Ngrams;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LookupDecode.Hosting;

/// <summary>
/// Loads the model once when the host starts (logging load time and backend), owns it for the host's lifetime, and on
/// shutdown saves the dynamic caches and releases every native resource. Registered as a singleton and hosted service.
/// </summary>
public sealed partial class ModelHost : IHostedService, IDisposable
{
    private readonly LookupDecodeOptions _options;
    private readonly ILogger<ModelHost> _logger;
    private readonly ILoggerFactory _loggers;
    private LlamaModel? _model;
    private SessionPool? _pool;
    private Decoding.DecodingEngine? _engine;
    private RequestAdmission? _admission;

    /// <summary>Created by DI.</summary>
    public ModelHost(IOptions<LookupDecodeOptions> options, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        _options = options.Value;
        _loggers = loggers;
        _logger = loggers.CreateLogger<ModelHost>();
        DynamicCaches = new DynamicCacheStore(_options, loggers.CreateLogger<DynamicCacheStore>());
    }

    /// <summary>The loaded model; throws until the host has started.</summary>
    public LlamaModel Model => _model ?? throw new InvalidOperationException("The LookupDecode model is not loaded: start the host first.");

    /// <summary>True once the model is loaded and the engine (or pool) exists (the host has started).</summary>
    public bool IsStarted => _engine is not null || _pool is not null;

    /// <summary>
    /// The engine every request runs in, one sequence each; null with <see cref="LookupDecodeOptions.PerRequestContexts"/>.
    /// Throws until the host has started.
    /// </summary>
    public Decoding.DecodingEngine? Engine => IsStarted ? _engine : throw new InvalidOperationException("The LookupDecode model is not loaded: start the host first.");

    /// <summary>
    /// The pool of per-request contexts (<see cref="LookupDecodeOptions.PerRequestContexts"/>), else null. Throws until the
    /// host has started.
    /// </summary>
    public SessionPool? Sessions => IsStarted ? _pool : throw new InvalidOperationException("The LookupDecode model is not loaded: start the host first.");

    /// <summary>
    /// Requests generating now, most at once, and waiting: for a sequence (the engine's or the pool's line) or for their
    /// key's dynamic cache.
    /// </summary>
    public (int Running, int Capacity, int Waiting) Load
    {
        get
        {
            var (running, capacity, waiting) = Engine is { } engine
                ? (engine.Running, engine.Options.Sequences, engine.Waiting)
                : (Sessions!.InUse, Sessions.Capacity, Sessions.Waiting);
            return (running, capacity, Math.Max(waiting, (_admission?.Admitted ?? 0) - running));
        }
    }

    /// <summary>Admits one request (see <see cref="RequestAdmission"/>): refused at once when running and waiting requests fill the bound.</summary>
    /// <exception cref="Decoding.EngineFullException">The bound is reached.</exception>
    /// <exception cref="SessionPoolFullException">The same, with per-request contexts.</exception>
    internal IDisposable Admit() => (_admission ?? throw new InvalidOperationException("The LookupDecode model is not loaded: start the host first.")).Enter();

    /// <summary>The draft model of the <c>draft-model</c> preset, if configured (<see cref="LookupDecodeOptions.DraftModelPath"/>).</summary>
    public LlamaModel? DraftModel { get; private set; }

    /// <summary>The static cache shared by all requests, if configured.</summary>
    public NgramCache? StaticCache { get; private set; }

    /// <summary>Earlier outputs the suffix drafter drafts from, per cache key; bounded by <see cref="Drafting.Suffix.SuffixMemoryStore.MaxBytes"/>.</summary>
    public Drafting.Suffix.SuffixMemoryStore SuffixMemories { get; private set; } = new();

    /// <summary>Per-conversation dynamic caches.</summary>
    public DynamicCacheStore DynamicCaches { get; }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        LlamaRuntime.UseLogger(_loggers.CreateLogger(LlamaRuntime.NativeLogCategory));
        if (_options.DraftModelPath is { } draftModelPath)
        {
            // Before anything loads: a draft model of another vocabulary is a configuration error.
            VocabularyCompatibility.Check(_options.ModelPath, draftModelPath);
        }

        _model = LlamaModel.Load(_options.ModelPath, _options.Model, _loggers.CreateLogger<LlamaModel>());
        StaticCache = _options.StaticCachePath is { } path ? NgramCache.Load(path) : null;
        if (_options.DraftModelPath is { } draftPath)
        {
            DraftModel = LlamaModel.Load(draftPath, Drafting.DraftModel.DraftModelOptions.LoadOptionsFor(_options.Model), _loggers.CreateLogger<LlamaModel>());
        }

        SuffixMemories = _options.SuffixMemoryFile is { } memoryFile && Files.SafeFiles.KindOf(memoryFile) != Files.FileKind.Missing
            ? Drafting.Suffix.SuffixMemoryStore.Load(memoryFile, _options.SuffixMemoryTokens, _options.MaxSuffixMemories)
            : new Drafting.Suffix.SuffixMemoryStore(_options.SuffixMemoryTokens, _options.MaxSuffixMemories);
        if (_options.PerRequestContexts)
        {
            _pool = new SessionPool(_model, _options.MaxConcurrentRequests, _options.MaxQueuedRequests);
        }
        else
        {
            _engine = _model.CreateEngine(new Decoding.EngineOptions
            {
                Sequences = _options.MaxConcurrentRequests,
                MaxWaiting = _options.MaxQueuedRequests,
                StepTokens = _options.StepTokens,
                KvLayout = _options.KvLayout,
            });
        }

        var (capacity, maxWaiting, perRequest) = (_options.MaxConcurrentRequests, _options.MaxQueuedRequests, _options.PerRequestContexts);
        _admission = new RequestAdmission(capacity, maxWaiting, () => perRequest
            ? new SessionPoolFullException(capacity, maxWaiting)
            : new Decoding.EngineFullException(capacity, maxWaiting));
        LogStarted(_logger, _model.Info.Name, _model.Info.Description, Stopwatch.GetElapsedTime(started).TotalMilliseconds, LlamaRuntime.Describe(), _options.MaxConcurrentRequests);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        DynamicCaches.SaveAll();
        if (_options.SuffixMemoryFile is { } memoryFile)
        {
            try
            {
                SuffixMemories.Save(memoryFile);
            }
            catch (Exception exception) when (exception is LookupDecodeException or IOException or UnauthorizedAccessException)
            {
                // Stopping must finish: the memory only costs speed, and the file on disk is left as it was.
                LogSuffixMemoryNotSaved(_logger, memoryFile, exception.Message);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _engine?.Dispose();
        _pool?.Dispose();
        _model?.Dispose();
        DraftModel?.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Suffix memory could not be saved to {Path} at stop (the file was left as it was): {Problem}")]
    private static partial void LogSuffixMemoryNotSaved(ILogger logger, string path, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "LookupDecode loaded {Model} ({Description}) in {Milliseconds:F0} ms on {Backend}; {Contexts} concurrent requests")]
    private static partial void LogStarted(ILogger logger, string model, string description, double milliseconds, string backend, int contexts);
}
