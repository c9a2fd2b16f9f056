namespace LookupDecode;

/// <summary>
/// Base type of every error LookupDecode raises on purpose: bad files, bad options, text a model cannot
/// tokenize, native failures turned into managed errors. Catch this to handle all of them at once.
/// </summary>
public abstract class LookupDecodeException : Exception
{
    /// <summary>Creates the exception with a message that says what went wrong, where, and what to do.</summary>
    protected LookupDecodeException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
