using BenchmarkDotNet.Attributes;
using LookupDecode.Drafting;

namespace LookupDecode.Benchmarks.Micro;

/// <summary>
/// Managed work of one decoding step at a given history length: feed the emitted token to the drafter
/// (<c>Observe</c>) and ask for a draft of 10 (<c>Propose</c>). Goal: at most 20 µs per step with 32k tokens of
/// history and no allocation in steady state.
/// </summary>
[MemoryDiagnoser]
public class DraftingStepBenchmarks
{
    private const int Positions = 256;
    private readonly int[] _draft = new int[10];
    private int[] _history = [];
    private NgramCacheDrafter _lookup = null!;
    private PromptLookupDrafter _promptLookup = null!;
    private LookupDecode.Drafting.Suffix.SuffixDrafter _suffix = null!;
    private readonly int[] _longDraft = new int[16];
    private readonly int[] _longEvidence = new int[16];
    private readonly LookupDecode.Drafting.Trees.DraftTree _tree = new(256);

    [Params(4096, 32768)]
    public int HistoryLength { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _history = SyntheticTokens.Create(HistoryLength);
        _lookup = new NgramCacheDrafter();
        _lookup.Begin(_history);
        _promptLookup = new PromptLookupDrafter(new PromptLookupOptions(), token => token == 2);
        _promptLookup.Begin(_history);
        // Every third token continues a word, as a vocabulary's pieces would.
        var kinds = LookupDecode.Text.TokenKinds.FromPieces(_history.Max() + 1, (token, destination) =>
        {
            var piece = token % 3 == 0 ? "ing"u8 : " word"u8;
            piece.CopyTo(destination);
            return piece.Length;
        });
        _suffix = new LookupDecode.Drafting.Suffix.SuffixDrafter(new LookupDecode.Drafting.Suffix.SuffixDrafterOptions(), token => token == 2, null, kinds);
        _suffix.Begin(_history);
    }

    /// <summary>Indexing cost per token: the whole history re-indexed per invoke (what Observe does once per token).</summary>
    [Benchmark(OperationsPerInvoke = 4096, Description = "suffix: index one token")]
    public int SuffixIndexToken()
    {
        _suffix.Begin(_history.AsSpan(0, 4096));
        return 0;
    }

    /// <summary>Average over 256 cut points of the full history (the index holds all of it; the query is the cut's ending).</summary>
    [Benchmark(OperationsPerInvoke = Positions, Description = "suffix: propose 16, mean of 256 positions")]
    public int SuffixProposeAcrossPositions()
    {
        var total = 0;
        for (var i = 0; i < Positions; i++)
        {
            total += _suffix.Propose(_history.AsSpan(0, _history.Length - (i * 7)), _longDraft);
        }

        return total;
    }

    /// <summary>As above with each drafted token's evidence class (streak, match, agreement, place in a word, position), as adaptive drafting asks.</summary>
    [Benchmark(OperationsPerInvoke = Positions, Description = "suffix: propose 16 with evidence, mean of 256 positions")]
    public int SuffixProposeWithEvidenceAcrossPositions()
    {
        var total = 0;
        for (var i = 0; i < Positions; i++)
        {
            total += _suffix.Propose(_history.AsSpan(0, _history.Length - (i * 7)), _longDraft, _longEvidence);
        }

        return total;
    }

    /// <summary>Average over 256 cut points: the token tree of the <c>tree</c> preset (32 nodes, 16 branches), re-matching included.</summary>
    [Benchmark(OperationsPerInvoke = Positions, Description = "suffix: propose a tree of 32, mean of 256 positions")]
    public int SuffixProposeTreeAcrossPositions()
    {
        var total = 0;
        LookupDecode.Drafting.Trees.ITreeDraftSource tree = _suffix;
        for (var i = 0; i < Positions; i++)
        {
            total += tree.ProposeTree(_history.AsSpan(0, _history.Length - (i * 7)), _tree, 32, 16, 32);
        }

        return total;
    }

    [Benchmark(Baseline = true, Description = "lookup: observe + propose 10")]
    public int LookupStep()
    {
        _lookup.Observe(_history);
        return _lookup.Propose(_history, _draft);
    }

    [Benchmark(Description = "lookup: propose 10")]
    public int LookupPropose() => _lookup.Propose(_history, _draft);

    /// <summary>Average over 256 cut points: the cost depends on how many followers the current suffix has.</summary>
    [Benchmark(OperationsPerInvoke = Positions, Description = "lookup: propose 10, mean of 256 positions")]
    public int LookupProposeAcrossPositions()
    {
        var total = 0;
        for (var i = 0; i < Positions; i++)
        {
            total += _lookup.Propose(_history.AsSpan(0, _history.Length - (i * 7)), _draft);
        }

        return total;
    }

    [Benchmark(Description = "prompt-lookup: observe + propose 10")]
    public int PromptLookupStep()
    {
        _promptLookup.Observe(_history);
        return _promptLookup.Propose(_history, _draft);
    }

    [Benchmark(Description = "prompt-lookup: propose 10")]
    public int PromptLookupPropose() => _promptLookup.Propose(_history, _draft);
}
