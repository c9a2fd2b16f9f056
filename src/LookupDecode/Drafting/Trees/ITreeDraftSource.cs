namespace LookupDecode.Drafting.Trees;

/// <summary>A drafter that can propose several continuations at once, as a token tree sharing their prefixes.</summary>
internal interface ITreeDraftSource : IDraftSource
{
    /// <summary>
    /// Fills <paramref name="tree"/> with at most <paramref name="budget"/> nodes, at most <paramref name="maxLeaves"/>
    /// branches and at most <paramref name="maxDepth"/> levels, most likely continuations first; returns the node count
    /// (0: nothing to propose).
    /// </summary>
    int ProposeTree(ReadOnlySpan<int> history, DraftTree tree, int budget, int maxLeaves, int maxDepth);

    /// <summary>Classes of evidence a tree node may carry (<see cref="DraftTree.Evidence"/>).</summary>
    int TreeEvidenceClassCount { get; }

    /// <summary>Acceptance of a node of <paramref name="evidenceClass"/>, given its parent was accepted, before anything is learned.</summary>
    double TreePriorAcceptance(int evidenceClass);
}
