namespace LookupDecode.Decoding;

/// <summary>One generated token as it is emitted.</summary>
/// <param name="Token">Token id.</param>
/// <param name="Text">
/// Text completed by this token: may be empty while a multi-byte character is split across tokens, and
/// then includes the held-back bytes once the character completes. With stop sequences, text that might begin one is
/// held back too, and text from a stop sequence on is never streamed; <see cref="GenerationResult.Text"/> is then the
/// authority for the final text (it includes any held-back remainder).
/// </param>
/// <param name="WasDrafted">True when the token was a draft the model verified (it cost no extra decode step).</param>
/// <param name="Index">0-based index among the generated tokens.</param>
public readonly record struct TokenEvent(int Token, string Text, bool WasDrafted, int Index)
{
    /// <summary>
    /// Which drafter proposed the token when <see cref="WasDrafted"/>: a drafter's name (<c>lookup</c>, <c>prompt-lookup</c>,
    /// <c>suffix</c>, <c>draft-model</c>), or <c>tree</c> for a token accepted from a verified token tree; null when decoded.
    /// </summary>
    public string? DraftedBy { get; init; }
}
