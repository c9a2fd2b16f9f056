namespace LookupDecode.Ngrams;

/// <summary>
/// A lookup cache file (llama.cpp's <c>.lcs</c>/<c>.lcd</c> format) is truncated, holds an invalid record or is not
/// such a file. Names the file, the byte offset and the problem; no partially read cache is ever returned.
/// </summary>
public sealed class LookupCacheFormatException : LookupDecodeException
{
    /// <summary>Creates the exception.</summary>
    public LookupCacheFormatException(string filePath, long offset, string problem)
        : base($"Invalid lookup cache '{filePath}' at byte offset {offset}: {problem}")
    {
        FilePath = filePath;
        Offset = offset;
        Problem = problem;
    }

    /// <summary>The cache file.</summary>
    public string FilePath { get; }

    /// <summary>Byte offset of the record or field at fault.</summary>
    public long Offset { get; }

    /// <summary>What is wrong.</summary>
    public string Problem { get; }
}
