namespace LookupDecode.Files;

/// <summary>
/// A path given as an input or an output is not something this library reads or writes: a FIFO, a device, a
/// directory, a missing file, or an output that is one of the inputs. Nothing was read, written or replaced.
/// </summary>
public sealed class UnsafeFileException : LookupDecodeException
{
    /// <summary>Creates the error for <paramref name="path"/> with the reason it was refused.</summary>
    public UnsafeFileException(string path, string role, string reason)
        : base($"{role} '{path}': {reason}")
    {
        Path = path;
        Role = role;
        Reason = reason;
    }

    /// <summary>The path as given.</summary>
    public string Path { get; }

    /// <summary>What the path was for ("model", "lookup cache", "output", …).</summary>
    public string Role { get; }

    /// <summary>Why it was refused.</summary>
    public string Reason { get; }
}
