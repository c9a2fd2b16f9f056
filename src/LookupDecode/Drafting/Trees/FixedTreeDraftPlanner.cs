namespace LookupDecode.Drafting.Trees;

/// <summary>A planner that can propose a token tree for one verification step.</summary>
internal interface ITreePlanner : IDraftPlanner
{
    /// <summary>
    /// Fills <paramref name="tree"/> (at most <paramref name="budget"/> nodes, <paramref name="maxLeaves"/> branches,
    /// <paramref name="maxDepth"/> levels) to verify after the pending token; returns the node count (0 = plain step).
    /// </summary>
    int PlanTree(ReadOnlySpan<int> history, DraftTree tree, int budget, int maxLeaves, int maxDepth, int depth);
}

/// <summary>
/// The <c>tree</c> plans: the first drafter with a proposal fills the tree — a tree drafter its candidate tree, any other
/// its chain. After verification every drafter learns from the branch that was kept, as from a verified chain
/// (<see cref="FixedDraftPlanner"/>'s learning; its chain planning serves loops that cannot verify trees).
/// </summary>
internal sealed class FixedTreeDraftPlanner(IReadOnlyList<IDraftSource> sources) : FixedDraftPlanner(sources), ITreePlanner
{
    private readonly int[] _chain = new int[DraftingPlan.MaxSupportedLength];

    public int PlanTree(ReadOnlySpan<int> history, DraftTree tree, int budget, int maxLeaves, int maxDepth, int depth)
    {
        Proposer = -1;
        tree.Clear();
        budget = Math.Min(budget, tree.Capacity);
        for (var s = 0; s < Sources.Length; s++)
        {
            var count = Sources[s] is ITreeDraftSource treeSource
                ? treeSource.ProposeTree(history, tree, budget, maxLeaves, maxDepth)
                : ProposeChain(Sources[s], history, tree, Math.Min(budget, maxDepth));
            if (count > 0)
            {
                Proposer = s;
                return count;
            }
        }

        return 0;
    }

    private int ProposeChain(IDraftSource source, ReadOnlySpan<int> history, DraftTree tree, int length)
    {
        var count = Math.Clamp(source.Propose(history, _chain.AsSpan(0, length)), 0, length);
        tree.SetChain(_chain.AsSpan(0, count));
        return count;
    }
}
