namespace LookupDecode.Native;

/// <summary>The llama.cpp native library could not be loaded or failed in a way the caller cannot fix by input.</summary>
public sealed class NativeBackendException : LookupDecodeException
{
    /// <summary>Creates the exception.</summary>
    public NativeBackendException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
