namespace LookupDecode.Models;

/// <summary>
/// A model file could not be loaded: it is missing, unreadable, not a GGUF file, damaged, or llama.cpp
/// refused it. The message names the file and the problem; nothing native has been left half-loaded.
/// </summary>
public class ModelLoadException : LookupDecodeException
{
    /// <summary>Creates the exception for <paramref name="filePath"/>.</summary>
    public ModelLoadException(string filePath, string problem, Exception? innerException = null)
        : base($"Cannot load model '{filePath}': {problem}", innerException)
    {
        FilePath = filePath;
        Problem = problem;
    }

    /// <summary>The model file that was refused.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it, without the file name.</summary>
    public string Problem { get; }
}
