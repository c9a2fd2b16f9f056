using LookupDecode.Models;

namespace LookupDecode.Gguf;

/// <summary>
/// A file is not a well-formed GGUF file. Raised by the managed GGUF reader before any native code sees
/// the file; names the file, the byte offset where the problem was found and the rule that was broken.
/// </summary>
public sealed class GgufFormatException : ModelLoadException
{
    /// <summary>Creates the exception.</summary>
    public GgufFormatException(string filePath, long offset, string rule)
        : base(filePath, $"not a valid GGUF file at byte offset {offset}: {rule}")
    {
        Offset = offset;
        Rule = rule;
    }

    /// <summary>Byte offset in the file where the reader found the problem.</summary>
    public long Offset { get; }

    /// <summary>The rule of the GGUF format that the file breaks.</summary>
    public string Rule { get; }
}
