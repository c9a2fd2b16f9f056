using System.Text;
using LLama;
using LLama.Native;

namespace LookupDecode.Native;

/// <summary>
/// Streams token ids into text, holding back the bytes of a UTF-8 character split across tokens until it
/// is complete. A thin owner of LLamaSharp's <see cref="StreamingTokenDecoder"/>.
/// </summary>
internal sealed class NativeTextDecoder
{
    private readonly StreamingTokenDecoder _decoder;

    public NativeTextDecoder(NativeModel model, bool renderSpecial)
    {
        _decoder = new StreamingTokenDecoder(Encoding.UTF8, model.Handle) { DecodeSpecialTokens = renderSpecial };
    }

    public void Add(int token) => _decoder.Add((LLamaToken)token);

    /// <summary>The text completed since the last call (empty while a character is still incomplete).</summary>
    public string Read() => _decoder.Read();

    public void Reset() => _decoder.Reset();
}
