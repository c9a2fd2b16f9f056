namespace LookupDecode.Text;

/// <summary>Reads prompt files the way llama.cpp's <c>-f</c> option does, so prompts tokenize identically.</summary>
public static class PromptFile
{
    /// <summary>
    /// The file's UTF-8 text with exactly one trailing newline removed: llama.cpp's <c>-f</c> drops it, and a
    /// prompt that keeps it tokenizes differently (and continues differently).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be read.</exception>
    public static string ReadText(string path)
    {
        var text = File.ReadAllText(path);
        return text.EndsWith('\n') ? text[..^1] : text;
    }
}
