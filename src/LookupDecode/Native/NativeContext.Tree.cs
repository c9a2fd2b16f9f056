using LLama.Native;
using LookupDecode.Decoding;
using LookupDecode.Drafting;
using LookupDecode.Drafting.Trees;

namespace LookupDecode.Native;

/// <summary>
/// Token-tree verification (after llama.cpp PR #8648's layout): every branch of the tree is a sequence; the prefix is
/// shared by copying sequence 0 to the others (no memory is copied), and each node is added once with the ids of every
/// branch through it, at the position of its depth, so it attends to the prefix and its own ancestors only. After
/// verification one branch is kept, cut after the accepted node, and renamed back to sequence 0; everything else is
/// removed, and the cache is checked.
/// </summary>
internal sealed partial class NativeContext
{
    /// <summary>Sequences a context holds: the most branches a verified tree may have.</summary>
    public const int MaxSequences = DraftingPlan.MaxTreeBranches;

    private readonly int[] _nodeSequenceCounts = new int[DraftingPlan.MaxSupportedLength];
    private readonly LLamaSeqId[] _nodeSequences = new LLamaSeqId[DraftingPlan.MaxSupportedLength * MaxSequences];
    private readonly bool[] _hasChildren = new bool[DraftingPlan.MaxSupportedLength];
    private readonly LLamaSeqId[] _allSequences = new LLamaSeqId[MaxSequences];
    private readonly int[] _pathNodes = new int[DraftingPlan.MaxSupportedLength];
    private readonly int[] _pathTokens = new int[DraftingPlan.MaxSupportedLength];
    private int _treeBranches;

    /// <summary>
    /// Decodes <paramref name="pending"/> at <paramref name="startPosition"/> followed by <paramref name="tree"/>'s nodes,
    /// logits for all: batch index 0 is the pending token, index 1 + i node i. Sequence 0 must hold exactly the prefix.
    /// </summary>
    public void DecodeTree(int pending, DraftTree tree, int startPosition)
    {
        var count = tree.Count;
        var parents = tree.Parents;
        Array.Clear(_hasChildren, 0, count);
        Array.Clear(_nodeSequenceCounts, 0, count);
        for (var i = 0; i < count; i++)
        {
            if (parents[i] >= 0)
            {
                _hasChildren[parents[i]] = true;
            }
        }

        var branches = 0;
        for (var leaf = 0; leaf < count; leaf++)
        {
            if (_hasChildren[leaf])
            {
                continue;
            }

            if (branches == MaxSequences)
            {
                throw new ArgumentException($"the tree has more than {MaxSequences} branches", nameof(tree));
            }

            var sequence = (LLamaSeqId)branches++;
            for (var node = leaf; node >= 0; node = parents[node])
            {
                _nodeSequences[(node * MaxSequences) + _nodeSequenceCounts[node]++] = sequence;
            }
        }

        branches = Math.Max(branches, 1);
        for (var b = 0; b < branches; b++)
        {
            _allSequences[b] = (LLamaSeqId)b;
            if (b > 0)
            {
                _handle.MemorySequenceCopy(Sequence, (LLamaSeqId)b, 0, -1);
            }
        }

        _treeBranches = branches;
        _batch.Clear();
        _batch.Add((LLamaToken)pending, startPosition, _allSequences.AsSpan(0, branches), true);
        var tokens = tree.Tokens;
        var depths = tree.Depths;
        for (var i = 0; i < count; i++)
        {
            _batch.Add((LLamaToken)tokens[i], startPosition + depths[i], _nodeSequences.AsSpan(i * MaxSequences, _nodeSequenceCounts[i]), true);
        }

        var result = _handle.Decode(_batch);
        if (result != DecodeResult.Ok)
        {
            ForgetBranches(Sequence);
            throw new DecodeFailedException(result.ToString(), count + 1, startPosition);
        }
    }

    /// <summary>
    /// Keeps the branch through <paramref name="acceptedNode"/> (-1: only the pending token was kept) as sequence 0 and
    /// removes every other cell of the tree, then checks the cache. The kept cells must also lie in position order, as
    /// plain decoding lays them out: attention adds cells up in cell order, and llama.cpp fills freed cells first, so a
    /// branch that is not the batch's first one (nodes 0, 1, … in a row) is cut where it leaves the first one and its
    /// accepted rest decoded again right after (one more <c>llama_decode</c>, no logits). Returns whether that happened.
    /// </summary>
    /// <exception cref="KvCacheRollbackException">The cache still holds a removed cell.</exception>
    public bool KeepTreeBranch(DraftTree tree, int acceptedNode, int startPosition)
    {
        var accepted = acceptedNode < 0 ? 0 : tree.Depths[acceptedNode];
        var path = _pathNodes.AsSpan(0, accepted);
        for (var node = acceptedNode; node >= 0; node = tree.Parents[node])
        {
            path[tree.Depths[node] - 1] = node;
        }

        // Depth d of the batch's first branch is node d - 1; the kept cells are in order up to where the path leaves it.
        var inOrder = 0;
        while (inOrder < accepted && path[inOrder] == inOrder)
        {
            inOrder++;
        }

        var kept = inOrder == 0 ? Sequence : _nodeSequences[path[inOrder - 1] * MaxSequences];
        var keepUntil = startPosition + 1 + inOrder;
        _handle.MemorySequenceRemove(kept, keepUntil, -1);
        ForgetBranches(kept);
        CheckTreeRemoved(keepUntil);
        if (inOrder == accepted)
        {
            return false;
        }

        var rest = _pathTokens.AsSpan(0, accepted - inOrder);
        for (var i = 0; i < rest.Length; i++)
        {
            rest[i] = tree.Tokens[path[inOrder + i]];
        }

        Decode(rest, keepUntil, logitsForAll: false);
        return true;
    }

    private void CheckTreeRemoved(int keepUntil)
    {
        var maxPosition = MaxPosition;
        if (maxPosition != keepUntil - 1)
        {
            throw new KvCacheRollbackException(keepUntil, maxPosition);
        }

        for (var b = 1; b < _treeBranches; b++)
        {
            var left = _handle.MemorySequenceMaxPosition((LLamaSeqId)b).Value;
            if (left >= 0)
            {
                throw new KvCacheRollbackException(0, left);
            }
        }

        _treeBranches = 0;
    }

    /// <summary>Leaves only <paramref name="kept"/>'s cells, as sequence 0.</summary>
    private void ForgetBranches(LLamaSeqId kept)
    {
        _handle.MemorySequenceKeep(kept);
        if (kept != Sequence)
        {
            _handle.MemorySequenceCopy(kept, Sequence, -1, -1);
            _handle.MemorySequenceKeep(Sequence);
        }
    }
}
