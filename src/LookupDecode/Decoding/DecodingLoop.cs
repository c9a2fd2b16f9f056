using System.Diagnostics;
using LookupDecode.Drafting;
using LookupDecode.Native;

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
        var run = new GenerationRun(context.Model, prompt, options, drafter, selector, onToken, fallback, _history);
        try
        {
            ThrowIfCancelled(run, cancellationToken);
            context.Clear();
            run.BeginDrafting();
            var lastIndex = Prefill(context, run, prompt, cancellationToken);
            run.PromptEnd = Stopwatch.GetTimestamp();
            run.Memory.Sample();

            var token = selector.Select(lastIndex);
            selector.Accept(token);
            run.Emit(token, wasDrafted: false);
            var nPast = prompt.Length;
            while (run.ShouldContinueAfter(token))
            {
                ThrowIfCancelled(run, cancellationToken);

                if (nPast + 1 > context.Size)
                {
                    run.StopReason = StopReason.ContextFull;
                    break;
                }

                if (run.Drafter is Drafting.Trees.ITreePlanner treePlanner && run.Options.Drafting.Tree)
                {
                    nPast = TreeStep(context, run, treePlanner, ref token, nPast);
                    continue;
                }

                var draftCount = run.Draft(_batch.AsSpan(1, run.DraftLimit(nPast, context.Size, context.BatchCapacity - 1)), nPast);
                _batch[0] = token;
                var decodeStart = Stopwatch.GetTimestamp();
                context.Decode(_batch.AsSpan(0, draftCount + 1), nPast, logitsForAll: draftCount > 0);
                var decodeTicks = Stopwatch.GetTimestamp() - decodeStart;
                run.CountStep(decodeTicks, draftCount);

                var accepted = run.VerifyChain(_batch.AsSpan(1, draftCount), out token, out var emitted);
                run.Learn(_batch.AsSpan(1, draftCount), emitted, draftCount + 1, nPast, Stopwatch.GetElapsedTime(0, decodeTicks).TotalMilliseconds);

                nPast += 1 + accepted;
                if (draftCount > accepted)
                {
                    nPast = RollBack(context, run, nPast);
                }
            }

            return run.Finish(run.StopReason);
        }
        finally
        {
            run.EndDrafter();
        }
    }

    private static void ThrowIfCancelled(GenerationRun run, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            throw new GenerationCanceledException(run.Finish(StopReason.Cancelled), cancellationToken);
        }
    }

    private static int Prefill(NativeContext context, GenerationRun run, ReadOnlySpan<int> prompt, CancellationToken cancellationToken)
    {
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

    private static int RollBack(NativeContext context, GenerationRun run, int nPast)
    {
        try
        {
            context.TruncateFrom(nPast);
            return nPast;
        }
        catch (KvCacheRollbackException exception)
        {
            return RebuildWithoutDrafting(context, run, nPast, exception);
        }
    }

    /// <summary>The memory kept rejected drafts: rebuild it from the history and continue without drafting.</summary>
    private static int RebuildWithoutDrafting(NativeContext context, GenerationRun run, int nPast, KvCacheRollbackException exception)
    {
        run.Fallback = exception.Message + " Continued with plain decoding.";
        run.Drafter = null;
        context.Clear();
        var keep = run.History.Span[..nPast];
        for (var start = 0; start < keep.Length; start += context.BatchCapacity)
        {
            context.Decode(keep.Slice(start, Math.Min(context.BatchCapacity, keep.Length - start)), start, logitsForAll: false);
        }

        return nPast;
    }
}
