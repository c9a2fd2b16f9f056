namespace LookupDecode.Decoding;

/// <summary>Prompt plus generated tokens in one growable buffer, reused across generations of a session.</summary>
internal sealed class TokenHistory
{
    private int[] _tokens = new int[256];

    public int Count { get; private set; }

    public ReadOnlySpan<int> Span => _tokens.AsSpan(0, Count);

    public int Last => _tokens[Count - 1];

    public void Reset(ReadOnlySpan<int> prompt, int expectedExtra)
    {
        EnsureCapacity(prompt.Length + expectedExtra);
        prompt.CopyTo(_tokens);
        Count = prompt.Length;
    }

    public void Add(int token)
    {
        if (Count == _tokens.Length)
        {
            EnsureCapacity(Count * 2);
        }

        _tokens[Count++] = token;
    }

    private void EnsureCapacity(int capacity)
    {
        if (capacity > _tokens.Length)
        {
            Array.Resize(ref _tokens, Math.Max(capacity, _tokens.Length * 2));
        }
    }
}
