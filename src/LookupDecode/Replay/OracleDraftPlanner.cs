using LookupDecode.Calibration;
using LookupDecode.Drafting;

namespace LookupDecode.Replay;

/// <summary>
/// The bound on length policies: every drafter proposes, and the planner, which knows the recorded answer, verifies
/// exactly as many of a proposal's drafts as will be accepted — or fewer, when a shorter batch earns more tokens per unit
/// of cost (m accepted drafts give m + 1 tokens for T(m + 1)/T(1)). Each step thus earns the most tokens per unit of cost
/// these drafters' proposals allow: the mark a length policy over them aims at.
/// </summary>
internal sealed class OracleDraftPlanner : DraftPlannerBase<IDraftSource>
{
    private readonly int[] _answer;
    private readonly int _promptLength;
    private readonly CostModel _cost;
    private readonly int[][] _proposals;
    private readonly int[] _counts;
    private int _chosen = -1;

    public OracleDraftPlanner(IReadOnlyList<IDraftSource> sources, int[] answer, int promptLength, CostModel cost, int maxDraftLength)
        : base(sources)
    {
        _answer = answer;
        _promptLength = promptLength;
        _cost = cost;
        _proposals = Sources.Select(_ => new int[maxDraftLength]).ToArray();
        _counts = new int[Sources.Length];
    }

    public override int Plan(ReadOnlySpan<int> history, Span<int> draft, int depth)
    {
        var next = history.Length - _promptLength;
        var bestLength = 0;
        var bestRate = 1.0;
        _chosen = -1;
        for (var s = 0; s < Sources.Length; s++)
        {
            var proposal = _proposals[s];
            var count = _counts[s] = Sources[s].Propose(history, proposal.AsSpan(0, Math.Min(draft.Length, proposal.Length)));
            var accepted = 0;
            while (accepted < count && next + accepted < _answer.Length && proposal[accepted] == _answer[next + accepted])
            {
                accepted++;
            }

            for (var length = 1; length <= accepted; length++)
            {
                var rate = (length + 1) / _cost.RelativeCost(length + 1, depth);
                if (rate > bestRate)
                {
                    bestRate = rate;
                    bestLength = length;
                    _chosen = s;
                    proposal.AsSpan(0, length).CopyTo(draft);
                }
            }
        }

        return bestLength;
    }

    public override string? LastDrafter => _chosen >= 0 ? Sources[_chosen].Name : null;

    public override void Verified(ReadOnlySpan<int> verified, ReadOnlySpan<int> emitted, int batchSize, int depth, double milliseconds)
    {
        var accepted = verified.CommonPrefixLength(emitted);
        for (var s = 0; s < Sources.Length; s++)
        {
            Sources[s].Verified(new DraftOutcome(_proposals[s].AsSpan(0, _counts[s]), verified, accepted, emitted));
            _counts[s] = 0;
        }
    }
}
