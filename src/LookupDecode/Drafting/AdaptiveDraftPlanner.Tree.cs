using LookupDecode.Drafting.Trees;

namespace LookupDecode.Drafting;

/// <summary>
/// Adaptive drafting with token trees: besides every drafter's best chain, a tree drafter's candidate tree is priced
/// node by node — each node's probability of being accepted given its parent was, learned per evidence class (depth and
/// share of its parent's candidates), times its parent's path probability — and the most probable nodes are added one by
/// one while expected tokens minus their cost at the exchange rate grow. The tree wins the step only when it beats the
/// best chain: on a steep (CPU) cost curve that is rare, on a flat (GPU) one it is the rule.
/// </summary>
internal sealed partial class AdaptiveDraftPlanner
{
    private readonly AcceptanceModel?[] _treeModels;
    private readonly DraftTree?[] _treeProposals;
    private readonly int[] _chain = new int[DraftingPlan.MaxSupportedLength];
    private readonly double[] _pathProbabilities = new double[DraftingPlan.MaxSupportedLength];
    private readonly double[] _conditional = new double[DraftingPlan.MaxSupportedLength];
    private readonly double[] _siblingSums = new double[DraftingPlan.MaxSupportedLength + 1];
    private readonly double[] _orderKeys = new double[DraftingPlan.MaxSupportedLength];
    private readonly int[] _order = new int[DraftingPlan.MaxSupportedLength];
    private readonly int[] _newIndex = new int[DraftingPlan.MaxSupportedLength];
    private readonly bool[] _onPath = new bool[DraftingPlan.MaxSupportedLength];
    private double _chainValue;

    public int PlanTree(ReadOnlySpan<int> history, DraftTree tree, int budget, int maxLeaves, int maxDepth, int depth)
    {
        tree.Clear();
        var chainLength = Plan(history, _chain.AsSpan(0, Math.Min(Math.Min(budget, maxDepth), _chain.Length)), depth);
        var bestValue = _chainValue;
        var bestSource = -1;
        var bestNodes = 0;
        for (var s = 0; s < Sources.Length; s++)
        {
            if (_treeModels[s] is not { } model || ScoredDraftSource.Unwrap(Sources[s]) is not ITreeDraftSource treeSource)
            {
                continue;
            }

            var proposal = _treeProposals[s] ??= new DraftTree(DraftingPlan.MaxSupportedLength);
            var nodes = treeSource.ProposeTree(history, proposal, Math.Min(budget, proposal.Capacity), maxLeaves, maxDepth);
            if (nodes == 0)
            {
                continue;
            }

            var (count, value) = BestPrefix(proposal, model);
            if (count > 0 && value > bestValue)
            {
                bestValue = value;
                bestSource = s;
                bestNodes = count;
            }
        }

        if (bestSource < 0)
        {
            tree.SetChain(_chain.AsSpan(0, chainLength));
            return chainLength;
        }

        // The order buffer holds the last tree scored: score the winner again before copying it.
        var winner = _treeProposals[bestSource]!;
        BestPrefix(winner, _treeModels[bestSource]!);
        CopyMostProbable(winner, bestNodes, tree);
        return tree.Count;
    }

    /// <summary>Path probabilities, then the number of most probable nodes with the best expected gain, and that gain.</summary>
    private (int Count, double Value) BestPrefix(DraftTree proposal, AcceptanceModel model)
    {
        var nodes = proposal.Count;
        var parents = proposal.Parents;
        var evidence = proposal.Evidence;
        // Siblings exclude each other: their conditional probabilities are scaled to sum to at most 1.
        Array.Clear(_siblingSums, 0, nodes + 1);
        for (var i = 0; i < nodes; i++)
        {
            _conditional[i] = model.Probability(evidence[i], _caution);
            _siblingSums[parents[i] + 1] += _conditional[i];
        }

        for (var i = 0; i < nodes; i++)
        {
            var conditional = _conditional[i] / Math.Max(1, _siblingSums[parents[i] + 1]);
            _pathProbabilities[i] = conditional * (parents[i] < 0 ? 1 : _pathProbabilities[parents[i]]);
            _order[i] = i;

            // Most probable first; a child is never more probable than its parent, and ties keep index (parent) order.
            _orderKeys[i] = -_pathProbabilities[i] + (i * 1e-12);
        }

        Array.Sort(_orderKeys, _order, 0, nodes);
        var expected = 1.0;
        var bestValue = double.NegativeInfinity;
        var bestCount = 0;
        for (var k = 1; k <= nodes; k++)
        {
            expected += _pathProbabilities[_order[k - 1]];
            var value = expected - (Rate * Cost(k + 1));
            if (value > bestValue)
            {
                bestValue = value;
                bestCount = k;
            }
        }

        return (bestCount, bestValue);
    }

    /// <summary>Writes the <paramref name="count"/> most probable nodes of <paramref name="proposal"/> (ancestor-closed) into <paramref name="tree"/>.</summary>
    private void CopyMostProbable(DraftTree proposal, int count, DraftTree tree)
    {
        var nodes = proposal.Count;
        for (var i = 0; i < nodes; i++)
        {
            _newIndex[i] = -2;
        }

        for (var k = 0; k < count; k++)
        {
            _newIndex[_order[k]] = -1;
        }

        var parents = proposal.Parents;
        var tokens = proposal.Tokens;
        var evidence = proposal.Evidence;
        for (var i = 0; i < nodes; i++)
        {
            if (_newIndex[i] == -2 || (parents[i] >= 0 && _newIndex[parents[i]] < 0))
            {
                _newIndex[i] = -2;
                continue;
            }

            _newIndex[i] = tree.Add(tokens[i], parents[i] < 0 ? -1 : _newIndex[parents[i]], evidence[i]);
        }
    }

    /// <summary>Every proposed tree learns from the emitted tokens, whether or not it was verified: a node whose parent was confirmed is confirmed or refuted.</summary>
    private void LearnTree(ReadOnlySpan<int> emitted)
    {
        for (var s = 0; s < Sources.Length; s++)
        {
            if (_treeModels[s] is not { } model || _treeProposals[s] is not { Count: > 0 } proposal)
            {
                continue;
            }

            var nodes = proposal.Count;
            Array.Clear(_onPath, 0, nodes);
            var node = -1;
            foreach (var token in emitted)
            {
                node = proposal.ChildWithToken(node, token);
                if (node < 0)
                {
                    break;
                }

                _onPath[node] = true;
            }

            var parents = proposal.Parents;
            var depths = proposal.Depths;
            var evidence = proposal.Evidence;
            for (var i = 0; i < nodes; i++)
            {
                if (depths[i] <= emitted.Length && (parents[i] < 0 || _onPath[parents[i]]))
                {
                    model.Observe(evidence[i], _onPath[i]);
                }
            }

            proposal.Clear();
        }
    }
}
