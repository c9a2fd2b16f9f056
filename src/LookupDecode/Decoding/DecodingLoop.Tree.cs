using System.Diagnostics;
using LookupDecode.Drafting.Trees;
using LookupDecode.Native;

namespace LookupDecode.Decoding;

/// <summary>
/// One step of token-tree verification: the planner's tree goes into one batch after the pending token; walking from
/// the root, the selector chooses at each node's batch index and the walk moves to the child holding that choice, so
/// every emitted token is still the model's own choice after exactly the tokens before it. The branch through the last
/// accepted node is kept in the KV cache, everything else removed.
/// </summary>
internal sealed partial class DecodingLoop
{
    private readonly DraftTree _tree = new(GenerationOptions.MaxDraftLength);
    private readonly int[] _keptPath = new int[GenerationOptions.MaxDraftLength];

    /// <summary>Runs one tree step after <paramref name="token"/> (pending at <paramref name="nPast"/>); returns the new past.</summary>
    private int TreeStep(NativeContext context, GenerationRun run, ITreePlanner planner, ref int token, int nPast)
    {
        // Every node takes a KV cell: the tree must fit the context as well as the batch.
        var budget = Math.Min(Math.Min(run.Options.Drafting.MaxLength, context.BatchCapacity - 1), Math.Min(_tree.Capacity, context.Size - nPast - 1));
        var maxDepth = context.Size - nPast - 1;
        if (!run.Options.UpstreamStoppingRule)
        {
            maxDepth = Math.Min(maxDepth, run.Options.MaxTokens - run.Generated.Count - 1);
        }

        var nodes = 0;
        if (budget > 0 && maxDepth > 0)
        {
            var draftStart = Stopwatch.GetTimestamp();
            nodes = Math.Clamp(planner.PlanTree(run.History.Span, _tree, budget, NativeContextBranches, maxDepth, nPast), 0, _tree.Count);
            run.DraftTicks += Stopwatch.GetTimestamp() - draftStart;
            if (!Fits(_tree, budget, maxDepth) || run.InVocabulary(_tree.Tokens) < _tree.Count)
            {
                nodes = 0; // a drafter broke the limits it was given (or the vocabulary): a plain step, never a batch llama.cpp cannot take
            }
        }

        var decodeStart = Stopwatch.GetTimestamp();
        if (nodes == 0)
        {
            _batch[0] = token;
            context.Decode(_batch.AsSpan(0, 1), nPast, logitsForAll: false);
        }
        else
        {
            context.DecodeTree(token, _tree, nPast);
        }

        var decodeTicks = Stopwatch.GetTimestamp() - decodeStart;
        run.CountStep(decodeTicks, nodes);

        // Walk the tree with the model's choices.
        var node = -1;
        var accepted = 0;
        int emitted;
        for (var index = 0; ; )
        {
            var chosen = run.Selector.Select(index);
            run.Selector.Accept(chosen);
            var child = nodes > 0 ? _tree.ChildWithToken(node, chosen) : -1;
            run.Emit(chosen, wasDrafted: child >= 0);
            token = chosen;
            if (child < 0)
            {
                emitted = accepted + 1;
                break;
            }

            accepted++;
            run.Accepted++;
            node = child;
            index = 1 + child;
            if (!run.Options.UpstreamStoppingRule && !run.ShouldContinueAfter(chosen))
            {
                emitted = accepted;
                break;
            }
        }

        // Drafters learn from the branch kept, as from a verified chain.
        var kept = nodes == 0 || run.Drafter is null ? 0 : _tree.KeptBranch(node, _keptPath);
        run.Learn(_keptPath.AsSpan(0, kept), emitted, nodes + 1, nPast, Stopwatch.GetElapsedTime(0, decodeTicks).TotalMilliseconds);

        nPast += 1 + accepted;
        if (nodes > 0)
        {
            try
            {
                if (context.KeepTreeBranch(_tree, node, nPast - 1 - accepted))
                {
                    run.DecodeCalls++;
                }
            }
            catch (KvCacheRollbackException exception)
            {
                nPast = RebuildWithoutDrafting(context, run, nPast, exception);
            }
        }

        return nPast;
    }

    private const int NativeContextBranches = Native.NativeContext.MaxSequences;

    private static bool Fits(DraftTree tree, int budget, int maxDepth)
    {
        if (tree.Count > budget || tree.LeafCount > NativeContextBranches)
        {
            return false;
        }

        foreach (var depth in tree.Depths)
        {
            if (depth > maxDepth)
            {
                return false;
            }
        }

        return true;
    }
}
