namespace LookupDecode.Drafting.Trees;

/// <summary>
/// A token tree verified in one batch: node i holds a token and its parent (-1: a child of the pending token, the
/// root). Nodes are in topological order (a parent before its children), so index order is a valid batch order. A chain
/// is the tree whose node i has parent i - 1. Reused across steps: it allocates nothing after construction.
/// </summary>
internal sealed class DraftTree
{
    private readonly int[] _tokens;
    private readonly int[] _parents;
    private readonly int[] _depths;
    private readonly int[] _childCounts;
    private readonly int[] _evidence;

    public DraftTree(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _tokens = new int[capacity];
        _parents = new int[capacity];
        _depths = new int[capacity];
        _childCounts = new int[capacity];
        _evidence = new int[capacity];
    }

    /// <summary>Most nodes the tree can hold.</summary>
    public int Capacity => _tokens.Length;

    /// <summary>Nodes held.</summary>
    public int Count { get; private set; }

    /// <summary>Nodes without children: the branches (the root alone counts as none).</summary>
    public int LeafCount { get; private set; }

    public ReadOnlySpan<int> Tokens => _tokens.AsSpan(0, Count);

    public ReadOnlySpan<int> Parents => _parents.AsSpan(0, Count);

    /// <summary>Each node's evidence class, as its drafter scored it (<see cref="ITreeDraftSource.TreeEvidenceClassCount"/>).</summary>
    public ReadOnlySpan<int> Evidence => _evidence.AsSpan(0, Count);

    /// <summary>Depth of each node: 1 for a child of the root.</summary>
    public ReadOnlySpan<int> Depths => _depths.AsSpan(0, Count);

    public void Clear()
    {
        Count = 0;
        LeafCount = 0;
    }

    /// <summary>Adds a node under <paramref name="parent"/> (-1: the root) with its evidence class; returns its index.</summary>
    public int Add(int token, int parent, int evidence = 0)
    {
        if ((uint)Count >= (uint)_tokens.Length || parent < -1 || parent >= Count)
        {
            throw new ArgumentOutOfRangeException(nameof(parent), "the tree is full or the parent does not exist yet");
        }

        var index = Count++;
        _tokens[index] = token;
        _parents[index] = parent;
        _depths[index] = parent < 0 ? 1 : _depths[parent] + 1;
        _childCounts[index] = 0;
        _evidence[index] = evidence;
        if (parent < 0 || _childCounts[parent]++ > 0)
        {
            LeafCount++;
        }

        return index;
    }

    /// <summary>Leaves the tree would have after adding a child under <paramref name="parent"/>.</summary>
    public int LeafCountWithChildOf(int parent) => parent < 0 || _childCounts[parent] > 0 ? LeafCount + 1 : LeafCount;

    /// <summary>Fills the tree with one chain.</summary>
    public void SetChain(ReadOnlySpan<int> chain)
    {
        Clear();
        for (var i = 0; i < chain.Length; i++)
        {
            Add(chain[i], i - 1);
        }
    }

    /// <summary>The child of <paramref name="parent"/> (-1: root) holding <paramref name="token"/>, or -1.</summary>
    public int ChildWithToken(int parent, int token)
    {
        for (var i = parent + 1; i < Count; i++)
        {
            if (_parents[i] == parent && _tokens[i] == token)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Writes the tokens on the path from the root to <paramref name="node"/> (inclusive) into <paramref name="path"/>; returns its length.</summary>
    public int PathTo(int node, Span<int> path)
    {
        if (node < 0)
        {
            return 0;
        }

        var length = _depths[node];
        for (var at = node; at >= 0; at = _parents[at])
        {
            path[_depths[at] - 1] = _tokens[at];
        }

        return length;
    }

    /// <summary>
    /// The branch kept after a walk that ended at <paramref name="acceptedNode"/> (-1: nothing accepted): the tokens from
    /// the root to a deepest leaf under it (under the first node when nothing was accepted), written into
    /// <paramref name="path"/>; returns its length (0 for an empty tree). Drafters learn from it as from a verified chain.
    /// </summary>
    public int KeptBranch(int acceptedNode, Span<int> path) => Count == 0 ? 0 : PathTo(DeepestLeafUnder(Math.Max(acceptedNode, 0)), path);

    /// <summary>A deepest leaf under <paramref name="node"/> (or <paramref name="node"/> itself), following first children.</summary>
    private int DeepestLeafUnder(int node)
    {
        var current = node;
        for (var i = Math.Max(node + 1, 0); i < Count; i++)
        {
            if (_parents[i] == current)
            {
                current = i;
            }
        }

        return current;
    }
}
