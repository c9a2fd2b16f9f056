using LookupDecode.Drafting.Trees;

namespace LookupDecode.Drafting.Suffix;

/// <summary>
/// Tree drafting: instead of the majority chain, every candidate continuation (the occurrences of the longest match,
/// and of the next shorter one) goes into a trie whose nodes weigh how many candidates pass through them; along the
/// heaviest branch the text is matched again at every depth, as if that branch had been accepted, and the continuations
/// found there join the trie too. The nodes most likely to be accepted (weight, discounted by depth; each heavier than
/// its children, so every ancestor is kept) fill the budget. Verified in one batch, the tree accepts the longest branch
/// the model confirms: a minority continuation is no longer lost to a vote.
/// </summary>
public sealed partial class SuffixDrafter
{
    private const int MaxTrieNodes = 2048;
    private const int QueryTail = SuffixIndex.LongestMatch;
    private readonly int[] _trieTokens = new int[MaxTrieNodes];
    private readonly int[] _trieParents = new int[MaxTrieNodes];
    private readonly int[] _trieDepths = new int[MaxTrieNodes];
    private readonly int[] _trieFirstChild = new int[MaxTrieNodes];
    private readonly int[] _trieNextSibling = new int[MaxTrieNodes];
    private readonly double[] _trieWeights = new double[MaxTrieNodes];
    private readonly double[] _trieOrderKeys = new double[MaxTrieNodes];
    private readonly int[] _trieOrder = new int[MaxTrieNodes];
    private readonly int[] _trieSelected = new int[MaxTrieNodes];
    private readonly int[] _candidateNodes = new int[2 * MaxCandidates];
    private readonly int[] _trieChosenChildren = new int[MaxTrieNodes];
    private readonly int[] _trieRank = new int[MaxTrieNodes];
    private readonly int[] _trieStack = new int[MaxTrieNodes];
    private readonly int[] _query = new int[QueryTail + DraftingPlan.MaxSupportedLength];
    private readonly int[] _chainNodes = new int[DraftingPlan.MaxSupportedLength];
    private int _trieCount;
    private int _rootFirstChild;

    /// <inheritdoc />
    int ITreeDraftSource.ProposeTree(ReadOnlySpan<int> history, DraftTree tree, int budget, int maxLeaves, int maxDepth)
    {
        tree.Clear();
        if (history.IsEmpty || budget <= 0 || maxLeaves <= 0 || maxDepth <= 0)
        {
            return 0;
        }

        _trieCount = 0;
        _rootFirstChild = -1;
        if (_memory is null)
        {
            return BuildTree(history, tree, budget, maxLeaves, maxDepth, null);
        }

        lock (_memory.Gate)
        {
            return BuildTree(history, tree, budget, maxLeaves, maxDepth, _memory.Index);
        }
    }

    private int BuildTree(ReadOnlySpan<int> history, DraftTree tree, int budget, int maxLeaves, int maxDepth, SuffixIndex? memory)
    {
        Insert(history, -1, memory, Math.Min(budget, maxDepth), weight: 1.0, depthLimitFromMatch: true, out var depthLimit);
        if (_trieCount == 0)
        {
            return 0;
        }

        // Along the heaviest branch, match again as if it had been accepted so far: alternatives where it may go wrong.
        var tail = Math.Min(history.Length, QueryTail);
        history[^tail..].CopyTo(_query);
        var node = HeaviestChild(-1);
        var chainLength = 0;
        while (node >= 0 && _trieDepths[node] < depthLimit && chainLength < _chainNodes.Length)
        {
            _chainNodes[chainLength++] = node;
            _query[tail + _trieDepths[node] - 1] = _trieTokens[node];
            Insert(_query.AsSpan(0, tail + _trieDepths[node]), node, memory, depthLimit, weight: RematchWeight, depthLimitFromMatch: false, out _);
            node = HeaviestChild(node);
        }

        return Select(tree, budget, maxLeaves);
    }

    /// <summary>Weight of a continuation found by matching again inside the heaviest branch, against 1 for the first matches.</summary>
    private const double RematchWeight = 0.1;

    /// <summary>A node's share discounted per level: deeper tokens are less likely to survive.</summary>
    private const double DepthDiscount = 0.7;

    /// <summary>
    /// Finds the candidates for <paramref name="query"/>'s ending and adds their continuations under
    /// <paramref name="parent"/>, down to <paramref name="depthLimit"/> levels (or, for the first matches, as deep as the
    /// match length warrants, the limit then used coming back in <paramref name="usedDepthLimit"/>).
    /// </summary>
    private void Insert(ReadOnlySpan<int> query, int parent, SuffixIndex? memory, int depthLimit, double weight, bool depthLimitFromMatch, out int usedDepthLimit)
    {
        var own = _history.FindMatches(query, _ends.AsSpan(0, MaxCandidates), _lengths.AsSpan(0, MaxCandidates), int.MaxValue, shorterSizes: 1);
        var candidates = own + (memory?.FindMatches(query, _ends.AsSpan(own, MaxCandidates), _lengths.AsSpan(own, MaxCandidates), int.MaxValue, shorterSizes: 1) ?? 0);
        usedDepthLimit = depthLimit;
        if (candidates == 0)
        {
            return;
        }

        var longest = 0;
        var ownLongest = 0;
        for (var i = 0; i < candidates; i++)
        {
            longest = Math.Max(longest, _lengths[i]);
            if (i < own)
            {
                ownLongest = Math.Max(ownLongest, _lengths[i]);
            }
        }

        if (depthLimitFromMatch)
        {
            _treeMatchClass = (StreakBin(_streak) * MatchBins) + EvidenceBins.MatchBin(longest);
            usedDepthLimit = depthLimit = Math.Min(depthLimit, Math.Max(_options.MinLength, (int)Math.Ceiling(_options.LengthPerMatchToken * longest)));
        }

        // The request's own text outranks memory: earlier outputs join only with a strictly longer match.
        var alive = 0;
        for (var i = 0; i < candidates; i++)
        {
            _inMemory[i] = i >= own;
            _alive[i] = !_inMemory[i] || _lengths[i] > ownLongest;
            _candidateNodes[i] = parent;
            alive += _alive[i] ? 1 : 0;
        }

        var startDepth = parent < 0 ? 0 : _trieDepths[parent];
        for (var offset = 0; startDepth + offset < depthLimit && alive > 0; offset++)
        {
            for (var i = 0; i < candidates; i++)
            {
                if (!_alive[i])
                {
                    continue;
                }

                var token = _inMemory[i] ? memory!.At(_ends[i] + offset) : _history.At(_ends[i] + offset);
                var node = token == SuffixIndex.Separator || _isEndOfGeneration(token) ? -1 : ChildOf(_candidateNodes[i], token);
                if (node < 0)
                {
                    _alive[i] = false;
                    alive--;
                    continue;
                }

                // Shorter matches (the next n-gram size down) weigh less than the longest ones.
                _trieWeights[node] += _lengths[i] >= longest - _options.MatchSlack ? weight : weight * 0.3;
                _candidateNodes[i] = node;
            }
        }
    }

    /// <summary>The child of <paramref name="parent"/> (-1: root) holding <paramref name="token"/>, created if needed; -1 when the trie is full.</summary>
    private int ChildOf(int parent, int token)
    {
        var first = parent < 0 ? _rootFirstChild : _trieFirstChild[parent];
        for (var child = first; child >= 0; child = _trieNextSibling[child])
        {
            if (_trieTokens[child] == token)
            {
                return child;
            }
        }

        if (_trieCount == MaxTrieNodes)
        {
            return -1;
        }

        var node = _trieCount++;
        _trieTokens[node] = token;
        _trieParents[node] = parent;
        _trieDepths[node] = parent < 0 ? 1 : _trieDepths[parent] + 1;
        _trieFirstChild[node] = -1;
        _trieWeights[node] = 0;
        _trieNextSibling[node] = first;
        if (parent < 0)
        {
            _rootFirstChild = node;
        }
        else
        {
            _trieFirstChild[parent] = node;
        }

        return node;
    }

    private int HeaviestChild(int parent)
    {
        var best = -1;
        for (var child = parent < 0 ? _rootFirstChild : _trieFirstChild[parent]; child >= 0; child = _trieNextSibling[child])
        {
            if (best < 0 || _trieWeights[child] > _trieWeights[best])
            {
                best = child;
            }
        }

        return best;
    }

    /// <summary>Pushes the chosen children of <paramref name="parent"/> so that the most probable is popped first.</summary>
    private void PushChildren(int parent, ref int top)
    {
        var first = top;
        for (var child = parent < 0 ? _rootFirstChild : _trieFirstChild[parent]; child >= 0; child = _trieNextSibling[child])
        {
            if (_trieSelected[child] != 0)
            {
                continue;
            }

            // Insertion by rank, least probable deepest in the stack.
            var at = top++;
            while (at > first && _trieRank[_trieStack[at - 1]] < _trieRank[child])
            {
                _trieStack[at] = _trieStack[at - 1];
                at--;
            }

            _trieStack[at] = child;
        }
    }

    private const int TreeDepthBins = 5;
    private const int TreeShareBins = 4;

    /// <inheritdoc />
    int ITreeDraftSource.TreeEvidenceClassCount => StreakBins * MatchBins * TreeDepthBins * TreeShareBins;

    /// <inheritdoc />
    double ITreeDraftSource.TreePriorAcceptance(int evidenceClass)
    {
        var share = ((evidenceClass % TreeShareBins) + 0.5) / TreeShareBins;
        var depthBin = evidenceClass / TreeShareBins % TreeDepthBins;
        var matchBin = evidenceClass / (TreeShareBins * TreeDepthBins) % MatchBins;
        var streakBin = evidenceClass / (TreeShareBins * TreeDepthBins * MatchBins);
        return Math.Clamp(Math.Min(0.95, 0.15 + (0.1 * matchBin) + (0.1 * streakBin)) * share * Math.Pow(0.9, depthBin), 0.02, 0.95);
    }

    /// <summary>The streak and match length of the step's first matches, shared by every node of its tree.</summary>
    private int _treeMatchClass;

    /// <summary>
    /// A node's evidence: the step's streak and longest match (as for chains), the node's depth (1, 2, 3-4, 5-8, 9+) and
    /// its share of its parent's weight (quarters).
    /// </summary>
    private int TreeEvidence(int node)
    {
        var parent = _trieParents[node];
        double parentWeight;
        if (parent >= 0)
        {
            parentWeight = _trieWeights[parent];
        }
        else
        {
            parentWeight = 0;
            for (var child = _rootFirstChild; child >= 0; child = _trieNextSibling[child])
            {
                parentWeight += _trieWeights[child];
            }
        }

        var share = parentWeight > 0 ? Math.Min(1, _trieWeights[node] / parentWeight) : 0;
        var depth = _trieDepths[node];
        var depthBin = depth switch { 1 => 0, 2 => 1, <= 4 => 2, <= 8 => 3, _ => 4 };
        return (((_treeMatchClass * TreeDepthBins) + depthBin) * TreeShareBins) + Math.Min(TreeShareBins - 1, (int)(share * TreeShareBins));
    }

    /// <summary>Chooses the most likely nodes (every ancestor kept) and writes them in topological order.</summary>
    private int Select(DraftTree tree, int budget, int maxLeaves)
    {
        var nodes = _trieCount;
        var rootWeight = 0.0;
        for (var child = _rootFirstChild; child >= 0; child = _trieNextSibling[child])
        {
            rootWeight += _trieWeights[child];
        }

        // A node's key: its share of the root's weight, discounted by depth; never above its parent's (weights only
        // shrink downwards), and ties go to the shallower, so a node is never chosen before its parent.
        for (var n = 0; n < nodes; n++)
        {
            _trieOrder[n] = n;
            var parent = _trieParents[n];
            var share = Math.Min(_trieWeights[n], parent < 0 ? rootWeight : _trieWeights[parent]) / rootWeight;
            var key = share * Math.Pow(DepthDiscount, _trieDepths[n]);
            _trieOrderKeys[n] = -(parent < 0 ? key : Math.Min(key, -_trieOrderKeys[parent] - 1e-12));
            _trieSelected[n] = -1;
        }

        Array.Sort(_trieOrderKeys, _trieOrder, 0, nodes);

        // Most probable first, within the node and branch budgets: a node joins only under a chosen parent, and a node
        // that would open a branch past the limit is passed over (a node extending a branch never adds one).
        var chosen = 0;
        var leaves = 0;
        for (var n = 0; n < nodes; n++)
        {
            _trieChosenChildren[n] = 0;
        }

        var rootChildren = 0;
        for (var k = 0; k < nodes && chosen < budget; k++)
        {
            var node = _trieOrder[k];
            var parent = _trieParents[node];
            if (parent >= 0 && _trieSelected[parent] < 0)
            {
                continue;
            }

            var opensBranch = parent < 0 ? rootChildren > 0 || leaves == 0 : _trieChosenChildren[parent] > 0;
            if (opensBranch && leaves == maxLeaves)
            {
                continue;
            }

            leaves += opensBranch ? 1 : 0;
            _trieSelected[node] = 0;
            _trieRank[node] = k;
            if (parent < 0)
            {
                rootChildren++;
            }
            else
            {
                _trieChosenChildren[parent]++;
            }

            chosen++;
        }

        // Depth first, the most probable child first: the likeliest branch is nodes 0, 1, 2, … of the batch, so when it is
        // the one accepted its KV cells already lie in position order.
        var top = 0;
        PushChildren(-1, ref top);
        while (top > 0)
        {
            var node = _trieStack[--top];
            var parent = _trieParents[node] < 0 ? -1 : _trieSelected[_trieParents[node]];
            _trieSelected[node] = tree.Add(_trieTokens[node], parent, TreeEvidence(node));
            PushChildren(node, ref top);
        }

        return tree.Count;
    }
}
