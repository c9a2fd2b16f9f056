namespace LookupDecode.Decoding;

/// <summary>
/// Forced replay's selector: emits a recorded token stream in order, whatever the logits say, so a draft is accepted
/// exactly when the recording continues with it. Allocates nothing.
/// </summary>
internal sealed class TraceSelector(int[] tokens) : ITokenSelector
{
    private int _position;

    public int Select(int batchIndex) => tokens[_position];

    public void Accept(int token) => _position++;

    public void Dispose()
    {
    }
}
