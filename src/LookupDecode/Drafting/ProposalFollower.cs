namespace LookupDecode.Drafting;

/// <summary>
/// Scores a drafter's proposals against what was really generated, token by token, as the history grows, whether or
/// not they were verified: output never depends on drafting, so the history is the truth for every proposal. A token
/// counts (accepted or not) only if all before it in its proposal were right, which is the conditional probability
/// adaptive drafting prices. A plain step thus still teaches how far its proposal would have held, so the acceptance of
/// long drafts is learned in the very states where verifying them is in doubt. Holds at most a fixed number of pending
/// proposals (one per step; each resolves within its length in steps); allocates nothing after construction.
/// </summary>
internal sealed class ProposalFollower
{
    private readonly int[][] _tokens;
    private readonly int[][] _evidence;
    private readonly int[] _start;
    private readonly int[] _count;
    private readonly int[] _next;
    private readonly long[] _added;
    private long _proposals;

    /// <param name="slots">Proposals followed at once (a step's maximum draft length plus one suffices).</param>
    /// <param name="maxLength">Longest proposal.</param>
    public ProposalFollower(int slots, int maxLength)
    {
        _tokens = new int[slots][];
        _evidence = new int[slots][];
        for (var i = 0; i < slots; i++)
        {
            _tokens[i] = new int[maxLength];
            _evidence[i] = new int[maxLength];
        }

        _start = new int[slots];
        _count = new int[slots];
        _next = new int[slots];
        _added = new long[slots];
    }

    /// <summary>Forgets every pending proposal (a new generation).</summary>
    public void Clear() => Array.Clear(_count);

    /// <summary>
    /// Follows <paramref name="tokens"/>, proposed to stand at history positions <paramref name="start"/> onwards, scoring at
    /// once what <paramref name="known"/> (the history from <paramref name="start"/> on, as far as it is known) reveals.
    /// </summary>
    public void Add(int start, ReadOnlySpan<int> tokens, ReadOnlySpan<int> evidence, ReadOnlySpan<int> known, AcceptanceModel model)
    {
        if (tokens.IsEmpty)
        {
            return;
        }

        var slot = Array.IndexOf(_count, 0);
        if (slot < 0)
        {
            // Full: the oldest proposal is dropped unscored.
            slot = 0;
            for (var other = 1; other < _added.Length; other++)
            {
                slot = _added[other] < _added[slot] ? other : slot;
            }
        }

        _added[slot] = ++_proposals;
        var length = Math.Min(Math.Min(tokens.Length, evidence.Length), _tokens[slot].Length);
        tokens[..length].CopyTo(_tokens[slot]);
        evidence[..length].CopyTo(_evidence[slot]);
        _start[slot] = start;
        _count[slot] = length;
        _next[slot] = 0;
        Score(slot, known, start, model);
    }

    /// <summary>Scores every pending proposal's tokens that <paramref name="history"/> now reveals into <paramref name="model"/>.</summary>
    public void Follow(ReadOnlySpan<int> history, AcceptanceModel model)
    {
        for (var slot = 0; slot < _count.Length; slot++)
        {
            Score(slot, history, 0, model);
        }
    }

    /// <summary>Scores slot <paramref name="slot"/>'s next tokens against <paramref name="text"/>, which holds history positions <paramref name="offset"/> onwards.</summary>
    private void Score(int slot, ReadOnlySpan<int> text, int offset, AcceptanceModel model)
    {
        while (_count[slot] > 0 && _start[slot] + _next[slot] - offset < text.Length)
        {
            var index = _next[slot];
            var right = text[_start[slot] + index - offset] == _tokens[slot][index];
            model.Observe(_evidence[slot][index], right);
            _next[slot]++;
            if (!right || _next[slot] == _count[slot])
            {
                _count[slot] = 0;
            }
        }
    }
}
