using System.Diagnostics;
using LookupDecode.Decoding;
using LookupDecode.Gguf;
using LookupDecode.Native;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LookupDecode.Models;

/// <summary>
/// A GGUF model loaded into llama.cpp: weights and vocabulary, shared by every <see cref="GenerationSession"/>
/// created from it. Owns the native model; dispose it after its sessions. Thread-safe.
/// </summary>
public sealed partial class LlamaModel : IDisposable
{
    private readonly NativeModel _native;
    private readonly ILogger _logger;
    private readonly Lock _probeGate = new();
    private float? _batchLogitDifference;
    private readonly Dictionary<string, Calibration.DecodeCostCurve> _costCurves = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _costCurvePaths = new(StringComparer.Ordinal);
    private int _disposed;

    private LlamaModel(NativeModel native, GgufFile file, ModelOptions options, ILogger logger, TimeSpan loadTime)
    {
        _native = native;
        _logger = logger;
        Options = options;
        LoadTime = loadTime;
        var architecture = file.Architecture ?? "llama";
        var heads = (int)(file.GetInt64($"{architecture}.attention.head_count") ?? 0);
        HeadSize = (int?)file.GetInt64($"{architecture}.attention.key_length")
                   ?? (heads > 0 ? native.EmbeddingSize / heads : 0);
        Info = new ModelInfo(
            native.Name,
            file.Architecture ?? "unknown",
            native.Description,
            native.VocabularySize,
            native.TrainingContextLength,
            native.LayerCount,
            native.EmbeddingSize,
            native.ParameterCount,
            native.SizeInBytes,
            native.HasByteFallback,
            native.IsRecurrent);
    }

    /// <summary>Path of the GGUF file.</summary>
    public string Path => _native.Path;

    /// <summary>Options the model was loaded with; every session uses them.</summary>
    public ModelOptions Options { get; }

    /// <summary>What llama.cpp reports about the model.</summary>
    public ModelInfo Info { get; }

    /// <summary>Wall time the load took (checks included).</summary>
    public TimeSpan LoadTime { get; }

    internal NativeModel Native
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            return _native;
        }
    }

    /// <summary>
    /// Loads <paramref name="path"/>. The options and the file are checked before any native call
    /// (existence, readability, GGUF structure); any problem is a <see cref="ModelLoadException"/> naming the file.
    /// </summary>
    /// <exception cref="InvalidOptionException">An option is out of range.</exception>
    /// <exception cref="ModelLoadException">The file is missing, unreadable, malformed or refused by llama.cpp.</exception>
    /// <exception cref="NativeBackendException">llama.cpp itself could not be loaded.</exception>
    public static LlamaModel Load(string path, ModelOptions? options = null, ILogger? logger = null)
    {
        options ??= new ModelOptions();
        options.Validate();
        logger ??= NullLogger.Instance;
        var started = Stopwatch.GetTimestamp();
        GgufFile file;
        switch (options.CheckMode)
        {
            case ModelCheckMode.None:
                file = ModelFileCheck.ReadStructure(path);
                break;
            case ModelCheckMode.Managed:
                file = ModelFileCheck.Check(path);
                break;
            default:
                // The weight scan runs inside the child check, and only for a file without a stored verdict.
                file = ModelFileCheck.Check(path, scanWeights: false);
                ModelProbe.Verify(path, file, options, logger);
                break;
        }

        var native = NativeModel.Load(path, options, file.TryGetValue("tokenizer.ggml.tokens", out var tokens) ? tokens.AsArray()?.Items as string[] : null);
        var loadTime = Stopwatch.GetElapsedTime(started);
        var model = new LlamaModel(native, file, options, logger, loadTime);
        LogLoaded(logger, model.Info.Name, model.Info.Description, loadTime.TotalMilliseconds, NativeRuntime.Describe());
        return model;
    }

    /// <summary>Creates a session: one llama.cpp context of <see cref="ModelOptions.ContextSize"/> tokens.</summary>
    public GenerationSession CreateSession() => new(this, NativeContext.Create(Native, Options, HeadSize), _logger);

    /// <summary>
    /// Creates an engine: one llama.cpp context of <see cref="EngineOptions.Sequences"/> sequences of
    /// <see cref="ModelOptions.ContextSize"/> tokens each, generating for that many requests at once in shared steps.
    /// </summary>
    /// <exception cref="InvalidOptionException">An option is out of range, or a step could not hold every sequence's token.</exception>
    public DecodingEngine CreateEngine(EngineOptions? options = null)
    {
        options ??= new EngineOptions();
        options.Validate();
        var context = NativeContext.CreateForSequences(Native, Options, HeadSize, options.Sequences, options.KvLayout == KvLayout.Unified);
        try
        {
            var stepTokens = options.StepTokens == 0 ? context.BatchCapacity : Math.Min(options.StepTokens, context.BatchCapacity);
            if (stepTokens < options.Sequences)
            {
                throw new InvalidOptionException(nameof(EngineOptions.StepTokens),
                    $"a step of {stepTokens} tokens (the batch size caps it) cannot hold one token of each of {options.Sequences} sequences");
            }

            return new DecodingEngine(this, context, options, stepTokens, _logger);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>Width of one attention head's keys (GGUF <c>key_length</c>, else embedding width / heads).</summary>
    public int HeadSize { get; }

    /// <summary>Tokenizes <paramref name="text"/> as llama.cpp's examples do (BOS per model metadata, special tokens parsed).</summary>
    /// <exception cref="Text.UnsupportedTextException">The vocabulary cannot encode a character of the text.</exception>
    public int[] Tokenize(string text, bool addSpecial = true, bool parseSpecial = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Native.Tokenize(text, addSpecial, parseSpecial);
    }

    /// <summary>Whether <paramref name="text"/> can be tokenized by this model (see <see cref="EnsureEncodable"/>).</summary>
    public bool CanEncode(string text) => Native.CanEncode(text);

    /// <summary>Throws <see cref="Text.UnsupportedTextException"/> if <paramref name="text"/> cannot be tokenized by this model.</summary>
    public void EnsureEncodable(string text) => Native.EnsureEncodable(text);

    /// <summary>The text of <paramref name="tokens"/>; special tokens are rendered as their text unless <paramref name="renderSpecial"/> is false.</summary>
    public string Detokenize(ReadOnlySpan<int> tokens, bool renderSpecial = true) => Native.Detokenize(tokens, renderSpecial);

    /// <summary>True when <paramref name="token"/> ends generation (EOS, EOT, …).</summary>
    public bool IsEndOfGeneration(int token) => Native.IsEndOfGeneration(token);

    /// <summary>What this model's drafters are told about its vocabulary.</summary>
    internal Drafting.DraftVocabulary DraftVocabulary => new(IsEndOfGeneration, Info.VocabularySize, () => Native.TokenKinds);

    /// <summary>
    /// Formats <paramref name="messages"/> (role, content) with the model's chat template, ending with the assistant's
    /// turn when <paramref name="addAssistantTurn"/> is set. Throws <see cref="Text.ChatTemplateException"/> when the
    /// model has none.
    /// </summary>
    /// <param name="messages">Role ("system", "user", "assistant", …) and content of each message, in order.</param>
    /// <param name="addAssistantTurn">End with the tokens that open the assistant's reply.</param>
    /// <param name="templateName">A template llama.cpp knows by name ("chatml", "llama3", …) instead of the model's own.</param>
    public string ApplyChatTemplate(IEnumerable<(string Role, string Content)> messages, bool addAssistantTurn = true, string? templateName = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return Native.ApplyChatTemplate(messages, addAssistantTurn, templateName);
    }

    /// <summary>
    /// Formats <paramref name="messages"/> as <see cref="ApplyChatTemplate"/> does and tokenizes the prompt so that only
    /// the template's own markers become special tokens: message contents are tokenized as text, so a message that says
    /// <c>&lt;/s&gt;</c> or <c>&lt;|im_end|&gt;</c> cannot end a turn, end the sequence or forge a new one. When no message
    /// holds a special token's text, the tokens are those of <c>Tokenize(ApplyChatTemplate(messages))</c>.
    /// </summary>
    /// <param name="messages">Role and content of each message, in order.</param>
    /// <param name="addAssistantTurn">End with the tokens that open the assistant's reply.</param>
    /// <param name="templateName">A template llama.cpp knows by name instead of the model's own.</param>
    /// <exception cref="Text.ChatTemplateException">The model has no chat template llama.cpp can apply.</exception>
    /// <exception cref="InvalidOptionException">
    /// A message holds a special token's text and the template rewrites messages so that it cannot be kept as text.
    /// </exception>
    /// <exception cref="Text.UnsupportedTextException">The vocabulary cannot encode a character of a message.</exception>
    public int[] TokenizeChat(IEnumerable<(string Role, string Content)> messages, bool addAssistantTurn = true, string? templateName = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return Native.TokenizeChat([.. messages], addAssistantTurn, templateName);
    }

    /// <summary>The chat template in the model's metadata, or <c>null</c>.</summary>
    public string? ChatTemplate => Native.ChatTemplate;

    /// <summary>
    /// How far logits of a batch differ from one-token-at-a-time logits on this model and backend (largest absolute
    /// difference; 0 = bit-identical), measured once on first use. Drafted tokens are verified in batches, so at 0
    /// every result is bit-identical to plain decoding, sampling included; above 0 a sample drawn near a probability
    /// boundary (or, rarely, a greedy near-tie) can differ. Seen here: F16, Q8_0 and Q4_0 weights are 0 on CPU,
    /// F32 weights are not (different matrix-multiplication kernels for one and several tokens).
    /// </summary>
    public float BatchLogitDifference()
    {
        lock (_probeGate)
        {
            if (_batchLogitDifference is null)
            {
                using var probe = CreateProbeSession();
                _batchLogitDifference = probe.MeasureBatchLogitDifference();
            }

            return _batchLogitDifference.Value;
        }
    }

    /// <summary>
    /// The verification cost curve of this model on this backend and thread count, covering batches up to
    /// <paramref name="maxBatchSize"/>: from memory, else from the store in <paramref name="directory"/>, else measured
    /// now in a context of the model's own (a few seconds for a 1B model; <paramref name="progress"/> reports it) at the
    /// depths the context reaches (<see cref="Calibration.DecodeCostMeasurement.DefaultDepths"/>, up to 2048) and stored,
    /// unless other load disturbed the measurement (<see cref="Calibration.DecodeCostCurve.Disturbance"/>): such a curve
    /// serves this process only.
    /// </summary>
    public Calibration.DecodeCostCurve CostCurve(int maxBatchSize, string? directory = null, IProgress<double>? progress = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        var path = CostCurvePath(directory);
        lock (_probeGate)
        {
            var depths = CostCurveDepths(maxBatchSize);
            if (_costCurves.TryGetValue(path, out var known) && Covers(known, maxBatchSize, depths))
            {
                return known;
            }

            var curve = Calibration.CostModelStore.TryLoad(path, out var damage);
            if (damage is not null)
            {
                LogDamagedStore(_logger, path, damage);
            }

            if (curve is null || !Covers(curve, maxBatchSize, depths))
            {
                LogCalibrating(_logger, Info.Name, maxBatchSize);
                using var session = CreateProbeSession(CostCurveContext(maxBatchSize));
                var sizes = Enumerable.Range(1, Math.Min(maxBatchSize, 17)).Concat([24, 32]).Where(size => size <= maxBatchSize).Append(maxBatchSize).Distinct().ToArray();
                curve = Calibration.DecodeCostMeasurement.Measure(session, sizes, depths, repeats: 3, progress);
                try
                {
                    if (curve.Disturbance is { } disturbance)
                    {
                        // Good enough to price this process's steps (the online correction refines it), not to keep.
                        LogDisturbed(_logger, Info.Name, disturbance);
                    }
                    else
                    {
                        Calibration.CostModelStore.Save(path, curve);
                    }
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or Files.UnsafeFileException)
                {
                    LogNotStored(_logger, path, exception.Message);
                }
            }

            _costCurves[path] = curve;
            return curve;
        }
    }

    /// <summary>
    /// Whether <paramref name="curve"/> prices batches up to <paramref name="maxBatchSize"/> at the depths a calibration
    /// now measures: a curve stored before calibration followed the context (depths 0 and 512 only) is measured again.
    /// </summary>
    private static bool Covers(Calibration.DecodeCostCurve curve, int maxBatchSize, int[] depths)
        => curve.Points.Count > 0 && curve.Points.Max(point => point.BatchSize) >= maxBatchSize && depths.All(curve.Depths.Contains);

    private int[] CostCurveDepths(int maxBatchSize) => Calibration.DecodeCostMeasurement.DefaultDepths(CostCurveContext(maxBatchSize), maxBatchSize);

    private int CostCurveContext(int maxBatchSize) => Math.Min(Options.ContextSize, CostCurveDeepest + maxBatchSize + 1);

    /// <summary>
    /// Whether <see cref="CostCurve"/> for <paramref name="maxBatchSize"/> would answer at once (in memory or stored), or
    /// would measure first: a caller can say so and show progress.
    /// </summary>
    public bool HasCostCurve(int maxBatchSize, string? directory = null)
    {
        var path = CostCurvePath(directory);
        lock (_probeGate)
        {
            var curve = _costCurves.GetValueOrDefault(path) ?? Calibration.CostModelStore.TryLoad(path);
            return curve is not null && Covers(curve, maxBatchSize, CostCurveDepths(maxBatchSize));
        }
    }

    /// <summary>
    /// The stored curve's file in <paramref name="directory"/>, worked out once per directory: its name hashes the model
    /// file's head and the backend's libraries, which cannot change under a loaded model, and every adaptive generation
    /// asks for it.
    /// </summary>
    private string CostCurvePath(string? directory) => _costCurvePaths.GetOrAdd(
        directory ?? Calibration.CostModelStore.DefaultDirectory,
        static (root, model) => Calibration.CostModelStore.PathFor(
            root, model.Path, NativeRuntime.Describe(), model.Options.EffectiveThreads, model.Options.EffectiveBatchSize,
            Calibration.CostModelStore.ContextSettings(NativeContext.ResolveKvCacheType(model.Options, model.HeadSize), model.Options.FlashAttention)),
        this);

    /// <summary>
    /// A session of the model's own for its measurements (cost curve, batch invariance): the options' KV cache type and
    /// threads, a context no larger than the measurements need.
    /// </summary>
    private GenerationSession CreateProbeSession(int contextSize = 2048)
        => new(this, NativeContext.Create(Native, Options with { ContextSize = Math.Min(Options.ContextSize, contextSize) }, HeadSize), _logger);

    /// <summary>The deepest context a first calibration fills (<see cref="Calibration.DecodeCostMeasurement.DefaultDepths"/>).</summary>
    private const int CostCurveDeepest = 2048;

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _native.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Measuring the verification cost of {Model} for batches up to {MaxBatch} (once per model, backend and thread count)")]
    private static partial void LogCalibrating(ILogger logger, string model, int maxBatch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignoring the damaged cost curve stored at {Path} ({Problem}); measuring it again")]
    private static partial void LogDamagedStore(ILogger logger, string path, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Not storing the cost curve of {Model}: {Problem}; it prices this process's steps only, and the next run measures again")]
    private static partial void LogDisturbed(ILogger logger, string model, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not store the cost curve at {Path}: {Problem}")]
    private static partial void LogNotStored(ILogger logger, string path, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Model} ({Description}) in {Milliseconds:F0} ms on {Backend}")]
    private static partial void LogLoaded(ILogger logger, string model, string description, double milliseconds, string backend);
}
