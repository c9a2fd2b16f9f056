using System.Diagnostics;
using System.Text;
using LookupDecode.Diagnostics;
using LookupDecode.Drafting;
using LookupDecode.Native;
using LookupDecode.Text;

namespace LookupDecode.Decoding;

/// <summary>
/// The speculative decoding loop (upstream's <c>examples/lookup/lookup.cpp</c> main loop, made exact):
/// prefill the prompt; then repeatedly decode <c>[last token, drafts…]</c> in one batch with logits on every
/// position, let the selector choose at each index, accept while its choice equals the next draft, emit the
/// first differing choice as the correction, and remove the rejected positions from the KV cache. Every
/// emitted token is the model's own choice at its position, so output equals plain decoding token for token.
/// With no drafter it is plain decoding: one token per <c>llama_decode</c>.
/// One instance per session; buffers are reused so a step allocates nothing.
/// </summary>
internal sealed partial class DecodingLoop
{
    private readonly TokenHistory _history = new();
    private readonly int[] _batch = new int[GenerationOptions.MaxDraftLength + 1];

    public GenerationResult Run(
        NativeContext context,
        ReadOnlySpan<int> prompt,
        GenerationOptions options,
        IDraftPlanner? drafter,
        ITokenSelector selector,
        Action<TokenEvent>? onToken,
        string? fallback,
        CancellationToken cancellationToken)
    {
        var run = new RunState(context, options, drafter, selector, onToken) { Fallback = fallback };
        try
        {
            ThrowIfCancelled(run, cancellationToken);
            context.Clear();
            _history.Reset(prompt, options.MaxTokens + GenerationOptions.MaxDraftLength + 1);
            run.PromptTokens = prompt.Length;
            var draftStart = Stopwatch.GetTimestamp();
            drafter?.Begin(prompt);
            run.DraftTicks += Stopwatch.GetTimestamp() - draftStart;
            var lastIndex = Prefill(run, prompt, cancellationToken);
            run.PromptEnd = Stopwatch.GetTimestamp();
            run.Memory.Sample();

            var token = selector.Select(lastIndex);
            selector.Accept(token);
            Emit(run, token, wasDrafted: false);
            var nPast = prompt.Length;
            while (ShouldContinueAfter(run, token))
            {
                ThrowIfCancelled(run, cancellationToken);

                if (nPast + 1 > context.Size)
                {
                    run.StopReason = StopReason.ContextFull;
                    break;
                }

                if (run.Drafter is Drafting.Trees.ITreePlanner treePlanner && run.Options.Drafting.Tree)
                {
                    nPast = TreeStep(run, treePlanner, ref token, nPast);
                    continue;
                }

                var draftCount = Draft(run, nPast);
                _batch[0] = token;
                var decodeStart = Stopwatch.GetTimestamp();
                context.Decode(_batch.AsSpan(0, draftCount + 1), nPast, logitsForAll: draftCount > 0);
                var decodeTicks = Stopwatch.GetTimestamp() - decodeStart;
                var decodeMilliseconds = Stopwatch.GetElapsedTime(0, decodeTicks).TotalMilliseconds;
                CountStep(run, decodeTicks, draftCount);

                var accepted = Verify(run, draftCount, out token, out var emitted);
                if (run.Drafter is { } planner)
                {
                    var learnStart = Stopwatch.GetTimestamp();
                    planner.Verified(_batch.AsSpan(1, draftCount), _history.Span[^emitted..], draftCount + 1, nPast, decodeMilliseconds);
                    run.DraftTicks += Stopwatch.GetTimestamp() - learnStart;
                }

                nPast += 1 + accepted;
                if (draftCount > accepted)
                {
                    nPast = RollBack(run, nPast);
                }
            }

            return Finish(run, run.StopReason);
        }
        finally
        {
            EndDrafter(run);
        }
    }

    /// <summary>Counts one verification step's <c>llama_decode</c>: its time, the call, memory, and the drafts it verified.</summary>
    private static void CountStep(RunState run, long decodeTicks, int drafted)
    {
        run.NativeDecodeTicks += decodeTicks;
        run.DecodeCalls++;
        run.Memory.Step();
        if (drafted > 0)
        {
            run.VerifySteps++;
            run.Drafted += drafted;
        }
    }

    /// <summary>Lets the drafters finish (merge their caches) once, then releases them.</summary>
    private void EndDrafter(RunState run)
    {
        // The original drafter: a KV rollback failure stops drafting mid-run, but its caches still get this run's n-grams.
        if (run.DrafterEnded || run.OriginalDrafter is not { } drafter)
        {
            return;
        }

        run.DrafterEnded = true;
        try
        {
            drafter.End(_history.Span);
        }
        finally
        {
            drafter.Dispose();
        }
    }

    private void ThrowIfCancelled(RunState run, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            throw new GenerationCanceledException(Finish(run, StopReason.Cancelled), cancellationToken);
        }
    }

    private int Prefill(RunState run, ReadOnlySpan<int> prompt, CancellationToken cancellationToken)
    {
        var context = run.Context;
        var lastIndex = 0;
        for (var start = 0; start < prompt.Length; start += context.BatchCapacity)
        {
            ThrowIfCancelled(run, cancellationToken);
            var chunk = prompt.Slice(start, Math.Min(context.BatchCapacity, prompt.Length - start));
            context.Decode(chunk, start, logitsForAll: false);
            lastIndex = chunk.Length - 1;
        }

        return lastIndex;
    }

    /// <summary>Asks the drafter for as many tokens as can still be useful; writes them after the pending token.</summary>
    private int Draft(RunState run, int nPast)
    {
        if (run.Drafter is null)
        {
            return 0;
        }

        var limit = Math.Min(run.Options.Drafting.MaxLength, run.Context.Size - nPast - 1);
        limit = Math.Min(limit, run.Context.BatchCapacity - 1);
        if (!run.Options.UpstreamStoppingRule)
        {
            // A batch yields at most drafts + 1 tokens: never draft past the token limit.
            limit = Math.Min(limit, run.Options.MaxTokens - run.Generated.Count - 1);
        }

        if (limit <= 0)
        {
            return 0;
        }

        var start = Stopwatch.GetTimestamp();
        var count = run.Drafter.Plan(_history.Span, _batch.AsSpan(1, limit), nPast);
        run.DraftTicks += Stopwatch.GetTimestamp() - start;
        return Math.Clamp(count, 0, limit);
    }

    /// <summary>
    /// Chooses the model's token at each batch index, accepting while it equals the next draft. Returns the
    /// number of drafts accepted; <paramref name="pending"/> is the last emitted token, not yet in the KV cache, and
    /// <paramref name="emitted"/> how many tokens the step emitted (the accepted drafts, and the model's own token
    /// unless generation stopped on an accepted draft).
    /// </summary>
    private int Verify(RunState run, int draftCount, out int pending, out int emitted)
    {
        var accepted = 0;
        for (var index = 0; ; index++)
        {
            var chosen = run.Selector.Select(index);
            run.Selector.Accept(chosen);
            var matchesDraft = index < draftCount && chosen == _batch[index + 1];
            Emit(run, chosen, wasDrafted: matchesDraft);
            pending = chosen;
            if (!matchesDraft)
            {
                emitted = accepted + 1;
                return accepted;
            }

            accepted++;
            run.Accepted++;
            if (!run.Options.UpstreamStoppingRule && !ShouldContinueAfter(run, chosen))
            {
                emitted = accepted;
                return accepted;
            }
        }
    }

    private int RollBack(RunState run, int nPast)
    {
        try
        {
            run.Context.TruncateFrom(nPast);
            return nPast;
        }
        catch (KvCacheRollbackException exception)
        {
            return RebuildWithoutDrafting(run, nPast, exception);
        }
    }

    /// <summary>The memory kept rejected drafts: rebuild it from the history and continue without drafting.</summary>
    private int RebuildWithoutDrafting(RunState run, int nPast, KvCacheRollbackException exception)
    {
        run.Fallback = exception.Message + " Continued with plain decoding.";
        run.Drafter = null;
        run.Context.Clear();
        var keep = _history.Span[..nPast];
        for (var start = 0; start < keep.Length; start += run.Context.BatchCapacity)
        {
            run.Context.Decode(keep.Slice(start, Math.Min(run.Context.BatchCapacity, keep.Length - start)), start, logitsForAll: false);
        }

        return nPast;
    }

    private void Emit(RunState run, int token, bool wasDrafted)
    {
        _history.Add(token);
        run.Generated.Add(token);
        if (run.Context.Model.IsEndOfGeneration(token))
        {
            run.SawEndOfGeneration = true;
        }

        if (run.Drafter is { } drafter)
        {
            var start = Stopwatch.GetTimestamp();
            drafter.Observe(_history.Span);
            run.DraftTicks += Stopwatch.GetTimestamp() - start;
        }

        if (run.TextDecoder is { } decoder)
        {
            decoder.Add(token);
            var piece = decoder.Read();
            if (run.StopFilter is { } filter)
            {
                piece = filter.Push(piece);
                run.Text!.Append(piece);
                run.StopSequenceSeen |= filter.Stopped;
            }

            run.OnToken?.Invoke(new TokenEvent(token, piece, wasDrafted, run.Generated.Count - 1));
        }
    }

    /// <summary>Decides, after <paramref name="token"/> was emitted, whether the run goes on; sets the stop reason if not.</summary>
    private static bool ShouldContinueAfter(RunState run, int token)
    {
        if (run.StopSequenceSeen)
        {
            run.StopReason = StopReason.StopSequence;
            return false;
        }

        if (run.Options.UpstreamStoppingRule)
        {
            // llama-lookup checks only between batches: n_predict > limit, or an EOG seen anywhere in the batch.
            if (run.SawEndOfGeneration)
            {
                run.StopReason = StopReason.EndOfGeneration;
                return false;
            }

            if (run.Generated.Count > run.Options.MaxTokens)
            {
                run.StopReason = StopReason.MaxTokens;
                return false;
            }

            return true;
        }

        if (run.Context.Model.IsEndOfGeneration(token))
        {
            run.StopReason = StopReason.EndOfGeneration;
            return false;
        }

        if (run.Generated.Count >= run.Options.MaxTokens)
        {
            run.StopReason = StopReason.MaxTokens;
            return false;
        }

        return true;
    }

    private GenerationResult Finish(RunState run, StopReason reason)
    {
        var end = Stopwatch.GetTimestamp();
        run.Memory.Sample();
        EndDrafter(run);
        var promptEnd = run.PromptEnd == 0 ? end : run.PromptEnd;
        var statistics = new GenerationStatistics
        {
            PromptTokens = run.PromptTokens,
            PromptEvalTime = Stopwatch.GetElapsedTime(run.Start, promptEnd),
            GeneratedTokens = run.Generated.Count,
            DecodeTime = Stopwatch.GetElapsedTime(promptEnd, end),
            DraftedTokens = run.Drafted,
            AcceptedTokens = run.Accepted,
            DecodeCalls = run.DecodeCalls,
            VerifySteps = run.VerifySteps,
            DraftTime = Stopwatch.GetElapsedTime(0, run.DraftTicks),
            NativeDecodeTime = Stopwatch.GetElapsedTime(0, run.NativeDecodeTicks),
            DrafterDecodeTime = run.OriginalDrafter?.DrafterDecodeTime ?? TimeSpan.Zero,
            PeakMemoryBytes = run.Memory.PeakBytes,
            DraftingFallback = run.Fallback,
        };
        var tokens = run.Generated.ToArray();
        var text = run.StopFilter is { } filter
            ? run.Text!.Append(filter.Flush()).ToString()
            : run.Context.Model.Detokenize(tokens, run.Options.RenderSpecialTokens);
        return new GenerationResult(tokens, text, reason, statistics);
    }

    /// <summary>Mutable state of one run; kept out of the loop's fields so a failed run leaves nothing behind.</summary>
    private sealed class RunState(
        NativeContext context,
        GenerationOptions options,
        IDraftPlanner? drafter,
        ITokenSelector selector,
        Action<TokenEvent>? onToken)
    {
        public NativeContext Context { get; } = context;
        public GenerationOptions Options { get; } = options;
        public IDraftPlanner? Drafter { get; set; } = drafter;
        public IDraftPlanner? OriginalDrafter { get; } = drafter;
        public ITokenSelector Selector { get; } = selector;
        public Action<TokenEvent>? OnToken { get; } = onToken;
        public StopSequenceFilter? StopFilter { get; } = options.StopSequences.Count == 0 ? null : new StopSequenceFilter(options.StopSequences);
        public StringBuilder? Text { get; } = options.StopSequences.Count == 0 ? null : new StringBuilder();
        public NativeTextDecoder? TextDecoder { get; } = onToken is null && options.StopSequences.Count == 0
            ? null
            : new NativeTextDecoder(context.Model, options.RenderSpecialTokens);
        public bool StopSequenceSeen { get; set; }
        public long Start { get; } = Stopwatch.GetTimestamp();
        public long PromptEnd { get; set; }
        public List<int> Generated { get; } = new(Math.Min(options.MaxTokens + GenerationOptions.MaxDraftLength, 1 << 16));
        public int PromptTokens { get; set; }
        public int Drafted { get; set; }
        public int Accepted { get; set; }
        public int DecodeCalls { get; set; }
        public int VerifySteps { get; set; }
        public long DraftTicks { get; set; }
        public long NativeDecodeTicks { get; set; }
        public bool SawEndOfGeneration { get; set; }
        public StopReason StopReason { get; set; } = StopReason.MaxTokens;
        public string? Fallback { get; set; }
        public bool DrafterEnded { get; set; }
        public ResidentMemory Memory { get; } = new();
    }
}
