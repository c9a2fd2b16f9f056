using LookupDecode.Ngrams;

namespace LookupDecode.Drafting;

/// <summary>The history followed by the tokens drafted so far in this step, read as one sequence without copying.</summary>
internal readonly ref struct DraftSequence(ReadOnlySpan<int> history, ReadOnlySpan<int> drafted)
{
    private readonly ReadOnlySpan<int> _history = history;
    private readonly ReadOnlySpan<int> _drafted = drafted;

    public int Length => _history.Length + _drafted.Length;

    public int this[int index] => index < _history.Length ? _history[index] : _drafted[index - _history.Length];

    /// <summary>The n-gram of the last <paramref name="size"/> tokens.</summary>
    public NgramKey KeyEndingAtEnd(int size)
    {
        var start = Length - size;
        return size switch
        {
            1 => new NgramKey(this[start], NgramKey.Unused, NgramKey.Unused, NgramKey.Unused),
            2 => new NgramKey(this[start], this[start + 1], NgramKey.Unused, NgramKey.Unused),
            3 => new NgramKey(this[start], this[start + 1], this[start + 2], NgramKey.Unused),
            _ => new NgramKey(this[start], this[start + 1], this[start + 2], this[start + 3]),
        };
    }
}
