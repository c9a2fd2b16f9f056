using System.Diagnostics;
using System.Text;
using LookupDecode.Diagnostics;
using LookupDecode.Drafting;
using LookupDecode.Native;
using LookupDecode.Text;

namespace LookupDecode.Decoding;

/// <summary>
/// One generation in progress, whichever loop drives it (the single-stream <see cref="DecodingLoop"/> or the many-sequence
/// <see cref="DecodingEngine"/>): its history (prompt + emitted), selector, planner, text and stop filters, counters, and
/// the rules that emit a token, decide whether to go on, verify a chain and finish. Kept apart from the loops so a failed
/// run leaves nothing behind in them, and so both loops emit, stop and count by the same code.
/// </summary>
internal sealed class GenerationRun
{
    public GenerationRun(
        NativeModel model,
        ReadOnlySpan<int> prompt,
        GenerationOptions options,
        IDraftPlanner? drafter,
        ITokenSelector selector,
        Action<TokenEvent>? onToken,
        string? fallback,
        TokenHistory? history = null)
    {
        Model = model;
        Options = options;
        Drafter = drafter;
        OriginalDrafter = drafter;
        Selector = selector;
        OnToken = onToken;
        Fallback = fallback;
        StopFilter = options.StopSequences.Count == 0 ? null : new StopSequenceFilter(options.StopSequences);
        Text = StopFilter is null ? null : new StringBuilder();
        TextDecoder = onToken is null && StopFilter is null ? null : new NativeTextDecoder(model, options.RenderSpecialTokens);
        Generated = new List<int>(Math.Min(options.MaxTokens + GenerationOptions.MaxDraftLength, 1 << 16));
        History = history ?? new TokenHistory();
        History.Reset(prompt, Math.Min(options.MaxTokens, 1 << 16) + GenerationOptions.MaxDraftLength + 1);
        PromptTokens = prompt.Length;
    }

    public NativeModel Model { get; }
    public GenerationOptions Options { get; }
    public IDraftPlanner? Drafter { get; set; }
    public IDraftPlanner? OriginalDrafter { get; }
    public ITokenSelector Selector { get; }
    public Action<TokenEvent>? OnToken { get; }
    public TokenHistory History { get; }
    public StopSequenceFilter? StopFilter { get; }
    public StringBuilder? Text { get; }
    public NativeTextDecoder? TextDecoder { get; }
    public bool StopSequenceSeen { get; set; }
    public long Start { get; } = Stopwatch.GetTimestamp();
    public long PromptEnd { get; set; }
    public List<int> Generated { get; }
    public int PromptTokens { get; }
    public int Drafted { get; set; }
    public int Accepted { get; set; }
    public int DecodeCalls { get; set; }
    public int VerifySteps { get; set; }
    public long DraftTicks { get; set; }
    public long NativeDecodeTicks { get; set; }
    public bool SawEndOfGeneration { get; set; }
    public StopReason StopReason { get; set; } = StopReason.MaxTokens;
    public string? Fallback { get; set; }
    public bool DrafterEnded { get; private set; }
    public ResidentMemory Memory { get; } = new();

    /// <summary>Lets the drafter see the prompt before the first step.</summary>
    public void BeginDrafting()
    {
        var draftStart = Stopwatch.GetTimestamp();
        Drafter?.Begin(History.Span);
        DraftTicks += Stopwatch.GetTimestamp() - draftStart;
    }

    /// <summary>
    /// How many drafts may follow the pending token at <paramref name="nPast"/>: the plan's length, the room left in a
    /// context of <paramref name="contextSize"/>, <paramref name="batchRoom"/> batch places, and (unless upstream's
    /// overshooting rule is on) the tokens still wanted, since a batch yields at most drafts + 1 tokens.
    /// </summary>
    public int DraftLimit(int nPast, int contextSize, int batchRoom)
    {
        var limit = Math.Min(Options.Drafting.MaxLength, contextSize - nPast - 1);
        limit = Math.Min(limit, batchRoom);
        if (!Options.UpstreamStoppingRule)
        {
            limit = Math.Min(limit, Options.MaxTokens - Generated.Count - 1);
        }

        return Math.Max(0, limit);
    }

    /// <summary>Asks the drafter for up to <c>draft.Length</c> tokens after the history; returns how many it gave.</summary>
    public int Draft(Span<int> draft, int nPast)
    {
        if (Drafter is null || draft.IsEmpty)
        {
            return 0;
        }

        var start = Stopwatch.GetTimestamp();
        var count = Math.Clamp(Drafter.Plan(History.Span, draft, nPast), 0, draft.Length);
        DraftTicks += Stopwatch.GetTimestamp() - start;
        return InVocabulary(draft[..count]);
    }

    /// <summary>
    /// How many of <paramref name="drafts"/> may be verified: those before the first id outside the model's vocabulary. A
    /// memory or cache made with another vocabulary (or a drafter's bug) must only cost speed, never reach llama.cpp.
    /// </summary>
    public int InVocabulary(ReadOnlySpan<int> drafts)
    {
        var vocabulary = (uint)Model.VocabularySize;
        for (var i = 0; i < drafts.Length; i++)
        {
            if ((uint)drafts[i] >= vocabulary)
            {
                return i;
            }
        }

        return drafts.Length;
    }

    /// <summary>Counts one verification step's <c>llama_decode</c>: its time, the call, memory, and the drafts it verified.</summary>
    public void CountStep(long decodeTicks, int drafted)
    {
        NativeDecodeTicks += decodeTicks;
        DecodeCalls++;
        Memory.Step();
        if (drafted > 0)
        {
            VerifySteps++;
            Drafted += drafted;
        }
    }

    /// <summary>
    /// Chooses the model's token at each of the step's indices (0 = after the pending token), accepting while it equals
    /// the next of <paramref name="drafts"/>. Returns the number of drafts accepted; <paramref name="pending"/> is the
    /// last emitted token, not yet in the KV cache, and <paramref name="emitted"/> how many tokens the step emitted (the
    /// accepted drafts, and the model's own token unless generation stopped on an accepted draft).
    /// </summary>
    public int VerifyChain(ReadOnlySpan<int> drafts, out int pending, out int emitted)
    {
        var accepted = 0;
        for (var index = 0; ; index++)
        {
            var chosen = Selector.Select(index);
            Selector.Accept(chosen);
            var matchesDraft = index < drafts.Length && chosen == drafts[index];
            Emit(chosen, wasDrafted: matchesDraft);
            pending = chosen;
            if (!matchesDraft)
            {
                emitted = accepted + 1;
                return accepted;
            }

            accepted++;
            Accepted++;
            if (!Options.UpstreamStoppingRule && !ShouldContinueAfter(chosen))
            {
                emitted = accepted;
                return accepted;
            }
        }
    }

    /// <summary>Tells the planner how the step it drafted for went (<see cref="IDraftPlanner.Verified"/>).</summary>
    public void Learn(ReadOnlySpan<int> verified, int emitted, int batchSize, int depth, double milliseconds)
    {
        if (Drafter is not { } planner)
        {
            return;
        }

        var start = Stopwatch.GetTimestamp();
        planner.Verified(verified, History.Span[^emitted..], batchSize, depth, milliseconds);
        DraftTicks += Stopwatch.GetTimestamp() - start;
    }

    /// <summary>Adds <paramref name="token"/> to the output: history, drafter, text, stop filter, callback.</summary>
    public void Emit(int token, bool wasDrafted)
    {
        History.Add(token);
        Generated.Add(token);
        if (Model.IsEndOfGeneration(token))
        {
            SawEndOfGeneration = true;
        }

        if (Drafter is { } drafter)
        {
            var start = Stopwatch.GetTimestamp();
            drafter.Observe(History.Span);
            DraftTicks += Stopwatch.GetTimestamp() - start;
        }

        if (TextDecoder is { } decoder)
        {
            decoder.Add(token);
            var piece = decoder.Read();
            if (StopFilter is { } filter)
            {
                piece = filter.Push(piece);
                Text!.Append(piece);
                StopSequenceSeen |= filter.Stopped;
            }

            OnToken?.Invoke(new TokenEvent(token, piece, wasDrafted, Generated.Count - 1)
            {
                DraftedBy = wasDrafted ? (Options.Drafting.Tree ? "tree" : Drafter?.LastDrafter) : null,
            });
        }
    }

    /// <summary>Decides, after <paramref name="token"/> was emitted, whether the run goes on; sets the stop reason if not.</summary>
    public bool ShouldContinueAfter(int token)
    {
        if (StopSequenceSeen)
        {
            StopReason = StopReason.StopSequence;
            return false;
        }

        if (Options.UpstreamStoppingRule)
        {
            // llama-lookup checks only between batches: n_predict > limit, or an EOG seen anywhere in the batch.
            if (SawEndOfGeneration)
            {
                StopReason = StopReason.EndOfGeneration;
                return false;
            }

            if (Generated.Count > Options.MaxTokens)
            {
                StopReason = StopReason.MaxTokens;
                return false;
            }

            return true;
        }

        if (Model.IsEndOfGeneration(token))
        {
            StopReason = StopReason.EndOfGeneration;
            return false;
        }

        if (Generated.Count >= Options.MaxTokens)
        {
            StopReason = StopReason.MaxTokens;
            return false;
        }

        return true;
    }

    /// <summary>Lets the drafters finish (merge their caches) once, then releases them.</summary>
    public void EndDrafter()
    {
        // The original drafter: a KV rollback failure stops drafting mid-run, but its caches still get this run's n-grams.
        if (DrafterEnded || OriginalDrafter is not { } drafter)
        {
            return;
        }

        DrafterEnded = true;
        try
        {
            drafter.End(History.Span);
        }
        finally
        {
            drafter.Dispose();
        }
    }

    /// <summary>Ends the drafter and builds the result (tokens, text, statistics) of the run stopped for <paramref name="reason"/>.</summary>
    public GenerationResult Finish(StopReason reason)
    {
        var end = Stopwatch.GetTimestamp();
        Memory.Sample();
        EndDrafter();
        var promptEnd = PromptEnd == 0 ? end : PromptEnd;
        var statistics = new GenerationStatistics
        {
            PromptTokens = PromptTokens,
            PromptEvalTime = Stopwatch.GetElapsedTime(Start, promptEnd),
            GeneratedTokens = Generated.Count,
            DecodeTime = Stopwatch.GetElapsedTime(promptEnd, end),
            DraftedTokens = Drafted,
            AcceptedTokens = Accepted,
            DecodeCalls = DecodeCalls,
            VerifySteps = VerifySteps,
            DraftTime = Stopwatch.GetElapsedTime(0, DraftTicks),
            NativeDecodeTime = Stopwatch.GetElapsedTime(0, NativeDecodeTicks),
            DrafterDecodeTime = OriginalDrafter?.DrafterDecodeTime ?? TimeSpan.Zero,
            PeakMemoryBytes = Memory.PeakBytes,
            DraftingFallback = Fallback,
        };
        var tokens = Generated.ToArray();
        var text = StopFilter is { } filter
            ? Text!.Append(filter.Flush()).ToString()
            : Model.Detokenize(tokens, Options.RenderSpecialTokens);
        return new GenerationResult(tokens, text, reason, statistics);
    }
}
