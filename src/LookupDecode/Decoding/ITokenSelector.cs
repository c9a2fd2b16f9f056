namespace LookupDecode.Decoding;

/// <summary>Chooses the model's next token from the logits at one index of the last decoded batch.</summary>
internal interface ITokenSelector : IDisposable
{
    /// <summary>Chooses the token that follows the batch token at <paramref name="batchIndex"/>.</summary>
    int Select(int batchIndex);

    /// <summary>Records that <paramref name="token"/> was emitted (for stateful samplers).</summary>
    void Accept(int token);
}
