namespace LookupDecode.Text;

/// <summary>The model carries no chat template llama.cpp can apply, so chat messages cannot be formatted for it.</summary>
public sealed class ChatTemplateException : LookupDecodeException
{
    /// <summary>Creates the exception.</summary>
    public ChatTemplateException(string modelName, Exception? innerException = null)
        : base($"The model '{modelName}' has no chat template llama.cpp can apply (no 'tokenizer.chat_template', or one it does not support); "
               + "use a plain prompt, or a chat model.", innerException)
    {
    }
}
