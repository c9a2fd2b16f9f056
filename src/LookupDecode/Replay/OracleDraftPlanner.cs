using LookupDecode.Calibration;
using LookupDecode.Drafting;

namespace LookupDecode.Replay;

/// <summary>
/// The bound on length policies: every drafter proposes, and the planner, which knows the recorded answer, verifies
/// exactly as many of a proposal's drafts as will be accepted — or fewer, when a shorter batch earns more tokens per unit
/// of cost (m accepted drafts give m + 1 tokens for T(m + 1)/T(1)). No real planner can do better with these drafters.
/// </summary>
internal sealed class OracleDraftPlanner : IDraftPlanner
{
    private readonly IDraftSource[] _sources;
    private readonly int[] _answer;
    private readonly int _promptLength;
    private readonly CostModel _cost;
    private readonly int[] _proposal;

    public OracleDraftPlanner(IReadOnlyList<IDraftSource> sources, int[] answer, int promptLength, CostModel cost, int maxDraftLength)
    {
        _sources = [.. sources];
        _answer = answer;
        _promptLength = promptLength;
        _cost = cost;
        _proposal = new int[maxDraftLength];
    }

    public void Begin(ReadOnlySpan<int> prompt)
    {
        foreach (var source in _sources)
        {
            source.Begin(prompt);
        }
    }

    public void Observe(ReadOnlySpan<int> history)
    {
        foreach (var source in _sources)
        {
            source.Observe(history);
        }
    }

    public int Plan(ReadOnlySpan<int> history, Span<int> draft, int depth)
    {
        var next = history.Length - _promptLength;
        var limit = Math.Min(draft.Length, _proposal.Length);
        var bestLength = 0;
        var bestRate = 1.0;
        foreach (var source in _sources)
        {
            var count = source.Propose(history, _proposal.AsSpan(0, limit));
            var accepted = 0;
            while (accepted < count && next + accepted < _answer.Length && _proposal[accepted] == _answer[next + accepted])
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
                    _proposal.AsSpan(0, length).CopyTo(draft);
                }
            }
        }

        return bestLength;
    }

    public void Verified(ReadOnlySpan<int> verified, ReadOnlySpan<int> emitted, int batchSize, int depth, double milliseconds)
    {
        var accepted = verified.CommonPrefixLength(emitted);
        foreach (var source in _sources)
        {
            source.Verified(new DraftOutcome([], verified, accepted, emitted));
        }
    }

    public void Dispose()
    {
        foreach (var source in _sources)
        {
            source.Dispose();
        }
    }

    public void End(ReadOnlySpan<int> history)
    {
        foreach (var source in _sources)
        {
            source.End(history);
        }
    }
}
