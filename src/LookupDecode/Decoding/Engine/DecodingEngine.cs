using System.Diagnostics;
using LookupDecode.Models;
using LookupDecode.Native;
using Microsoft.Extensions.Logging;

namespace LookupDecode.Decoding;

/// <summary>
/// Many generations in one llama.cpp context: every running request is a sequence, and each step is one
/// <c>llama_decode</c> holding every sequence's pending token and the drafts worth verifying for it, priced against the
/// whole batch, plus prompt chunks of requests that are joining. Requests join and leave between steps; each is rolled
/// back, cancelled, stopped or failed on its own, without disturbing the others, and each one's output is the model's
/// own choice at every position, as in a solo generation. One thread runs the steps; <see cref="GenerateAsync"/> may be
/// called from any thread. Owns its context; dispose it before the model.
/// </summary>
public sealed partial class DecodingEngine : IDisposable
{
    private readonly NativeContext _context;
    private readonly GenerationSetup _setup;
    private readonly ILogger _logger;
    private readonly EngineSequence[] _sequences;
    private readonly LinkedList<EngineRequest> _waitingLine = new();
    private readonly Lock _gate = new();
    private readonly AutoResetEvent _wake = new(false);
    private readonly Thread _thread;
    private volatile bool _stopping;
    private int _admitted;
    private int _running;
    private long _steps;
    private long _batchTokens;
    private long _draftedTokens;
    private long _acceptedTokens;
    private long _emittedTokens;
    private long _decodeTicks;
    private long _stepTicks;

    internal DecodingEngine(LlamaModel model, NativeContext context, EngineOptions options, int stepTokens, ILogger logger)
    {
        Model = model;
        _context = context;
        _logger = logger;
        _setup = new GenerationSetup(model, logger);
        Options = options;
        StepTokens = stepTokens;
        _sequences = Enumerable.Range(0, options.Sequences).Select(id => new EngineSequence(id, context)).ToArray();
        _shape = new BatchShape(options.Sequences, options.KvLayout == KvLayout.Unified, Math.Min(context.BatchCapacity, NativeContext.MicroBatchCapacity));
        _thread = new Thread(Loop) { IsBackground = true, Name = "LookupDecode engine" };
        _thread.Start();
    }

    /// <summary>The model this engine runs.</summary>
    public LlamaModel Model { get; }

    /// <summary>The settings it was created with.</summary>
    public EngineOptions Options { get; }

    /// <summary>Tokens each sequence may hold (prompt + generated): <see cref="ModelOptions.ContextSize"/>.</summary>
    public int ContextSize => _context.Size;

    /// <summary>Most tokens one step decodes.</summary>
    public int StepTokens { get; }

    /// <summary>Requests generating in a sequence now.</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>Requests waiting for a sequence now.</summary>
    public int Waiting => Math.Max(0, Volatile.Read(ref _admitted) - Volatile.Read(ref _running));

    /// <summary>Counters since the engine started: steps, tokens decoded in them, drafts verified and accepted, tokens emitted.</summary>
    public EngineCounters Counters => new(
        Interlocked.Read(ref _steps),
        Interlocked.Read(ref _batchTokens),
        Interlocked.Read(ref _draftedTokens),
        Interlocked.Read(ref _acceptedTokens),
        Interlocked.Read(ref _emittedTokens),
        Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _decodeTicks)),
        Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _stepTicks)));

    /// <summary>
    /// Checks a request as <see cref="GenerateAsync"/> does before queuing it, without running it.
    /// </summary>
    /// <exception cref="InvalidOptionException">An option is out of range, the prompt is empty or a token is outside the vocabulary.</exception>
    /// <exception cref="PromptTooLongException">The prompt leaves no room in a sequence.</exception>
    public void CheckRequest(ReadOnlySpan<int> promptTokens, GenerationOptions options)
        => GenerationSetup.CheckRequest(Model, promptTokens, options, _context.Size);

    /// <summary>
    /// Queues a generation after <paramref name="promptTokens"/> and completes with its result. It starts as soon as a
    /// sequence is free, in arrival order. <paramref name="onToken"/> is called on the engine's thread for every token as
    /// it is emitted: keep it short (hand the token to a channel), since every sequence waits for it. Cancellation is
    /// observed before every step, so it takes effect within one step and frees the sequence for the next request.
    /// </summary>
    /// <exception cref="InvalidOptionException">An option is out of range or the prompt is empty (thrown at once).</exception>
    /// <exception cref="PromptTooLongException">The prompt leaves no room in a sequence (thrown at once).</exception>
    /// <exception cref="EngineFullException">Every sequence is busy and the waiting line is full (thrown at once).</exception>
    /// <exception cref="GenerationCanceledException">Cancelled; carries the tokens generated so far (the task faults with it).</exception>
    public Task<GenerationResult> GenerateAsync(
        ReadOnlySpan<int> promptTokens,
        GenerationOptions? options = null,
        Action<TokenEvent>? onToken = null,
        CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_stopping, this);
        options ??= new GenerationOptions();
        CheckRequest(promptTokens, options);
        if (Interlocked.Increment(ref _admitted) > (long)Options.Sequences + Options.MaxWaiting)
        {
            Interlocked.Decrement(ref _admitted);
            throw new EngineFullException(Options.Sequences, Options.MaxWaiting);
        }

        var request = new EngineRequest(promptTokens.ToArray(), options, onToken, cancellationToken);
        lock (_gate)
        {
            _waitingLine.AddLast(request);
        }

        request.Wake = cancellationToken.Register(static state => ((AutoResetEvent)state!).Set(), _wake);
        _wake.Set();
        return request.Completion.Task;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        _wake.Set();
        _thread.Join();
        lock (_gate)
        {
            foreach (var request in _waitingLine)
            {
                Complete(request, new ObjectDisposedException(nameof(DecodingEngine), "the engine was disposed before the request ran"));
            }

            _waitingLine.Clear();
        }

        _context.Dispose();
        _wake.Dispose();
    }

    private void Loop()
    {
        while (!_stopping)
        {
            try
            {
                DropCancelledWaiters();
                Admit();
                if (Volatile.Read(ref _running) == 0)
                {
                    _wake.WaitOne();
                    continue;
                }

                Step();
            }
            catch (Exception exception)
            {
                // A fault outside any one sequence's handling: fail what is running, keep serving.
                _logger.LogError(exception, "engine step failed; failing the running requests");
                FailRunning(exception);
            }
        }

        FailRunning(new ObjectDisposedException(nameof(DecodingEngine), "the engine was disposed while the request ran"));
    }

    private void DropCancelledWaiters()
    {
        lock (_gate)
        {
            for (var node = _waitingLine.First; node is not null;)
            {
                var next = node.Next;
                if (node.Value.CancellationToken.IsCancellationRequested)
                {
                    _waitingLine.Remove(node);
                    var nothing = new GenerationResult([], "", StopReason.Cancelled, new GenerationStatistics());
                    Complete(node.Value, new GenerationCanceledException(nothing, node.Value.CancellationToken));
                }

                node = next;
            }
        }
    }

    /// <summary>Moves waiting requests into free sequences, in arrival order.</summary>
    private void Admit()
    {
        foreach (var sequence in _sequences)
        {
            if (!sequence.IsFree)
            {
                continue;
            }

            EngineRequest? request;
            lock (_gate)
            {
                if (_waitingLine.First is not { } first)
                {
                    return;
                }

                request = first.Value;
                _waitingLine.RemoveFirst();
            }

            StartIn(sequence, request);
        }
    }

    private void StartIn(EngineSequence sequence, EngineRequest request)
    {
        ITokenSelector? own = null;
        Drafting.IDraftPlanner? planner = null;
        try
        {
            own = GenerationSetup.CreateSelector(_context, request.Options.Sampling, request.Prompt);
            planner = _setup.CreatePlanner(request.Options, out var fallback);
            if (planner is not null && request.Options.Drafting.Adaptive)
            {
                _batchCost ??= _setup.CostModelFor(request.Options);
            }

            var run = new GenerationRun(_context.Model, request.Prompt, request.Options, planner, sequence.Selector, request.OnToken, fallback);
            _context.TruncateSequenceFrom(sequence.Id, 0);
            sequence.Start(request, run, own);
            Interlocked.Increment(ref _running);
            run.BeginDrafting();
        }
        catch (Exception exception)
        {
            if (!sequence.IsFree)
            {
                Finish(sequence, exception);
                return;
            }

            planner?.Dispose();
            own?.Dispose();
            Complete(request, exception);
        }
    }

    private void FailRunning(Exception exception)
    {
        foreach (var sequence in _sequences)
        {
            if (!sequence.IsFree)
            {
                Finish(sequence, exception);
            }
        }
    }

    /// <summary>Ends the request in <paramref name="sequence"/>: its result, or <paramref name="failure"/>; frees the sequence.</summary>
    private void Finish(EngineSequence sequence, Exception? failure = null)
    {
        var request = sequence.Request!;
        var run = sequence.Run!;
        Exception? outcome = failure;
        GenerationResult? result = null;
        try
        {
            if (failure is null)
            {
                result = run.Finish(run.StopReason);
            }
            else
            {
                run.EndDrafter();
            }
        }
        catch (Exception exception)
        {
            outcome ??= exception;
        }

        try
        {
            sequence.Release();
        }
        catch (Exception exception)
        {
            _logger.LogError(exception, "sequence {Sequence} could not be emptied", sequence.Id);
        }

        Interlocked.Decrement(ref _running);
        if (outcome is null)
        {
            Complete(request, result!);
        }
        else
        {
            Complete(request, outcome);
        }
    }

    private void Complete(EngineRequest request, GenerationResult result)
    {
        request.Wake.Dispose();
        Interlocked.Decrement(ref _admitted);
        request.Completion.TrySetResult(result);
    }

    private void Complete(EngineRequest request, Exception exception)
    {
        request.Wake.Dispose();
        Interlocked.Decrement(ref _admitted);
        request.Completion.TrySetException(exception);
    }
}

/// <summary>What a <see cref="DecodingEngine"/> has done since it started.</summary>
/// <param name="Steps">Steps (one <c>llama_decode</c> each).</param>
/// <param name="BatchTokens">Tokens decoded in them: pending tokens, drafts and prompt chunks.</param>
/// <param name="DraftedTokens">Drafted tokens verified.</param>
/// <param name="AcceptedTokens">Drafted tokens accepted.</param>
/// <param name="EmittedTokens">Tokens emitted to requests.</param>
/// <param name="DecodeTime">Time spent in <c>llama_decode</c>.</param>
/// <param name="StepTime">Time spent in steps, decode included: what exceeds <paramref name="DecodeTime"/> is the engine's managed work
/// (planning, drafting, verifying, streaming out).</param>
public readonly record struct EngineCounters(long Steps, long BatchTokens, long DraftedTokens, long AcceptedTokens, long EmittedTokens, TimeSpan DecodeTime, TimeSpan StepTime);
