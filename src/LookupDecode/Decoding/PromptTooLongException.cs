namespace LookupDecode.Decoding;

/// <summary>The prompt does not fit in the context with room for at least one generated token.</summary>
public sealed class PromptTooLongException : LookupDecodeException
{
    /// <summary>Creates the exception.</summary>
    public PromptTooLongException(int promptTokens, int contextSize)
        : base($"The prompt is {promptTokens} tokens but the context holds {contextSize}: "
               + $"shorten the prompt to at most {contextSize - 1} tokens or raise the context size.")
    {
        PromptTokens = promptTokens;
        ContextSize = contextSize;
    }

    /// <summary>Tokens in the prompt.</summary>
    public int PromptTokens { get; }

    /// <summary>Tokens the context holds.</summary>
    public int ContextSize { get; }
}
