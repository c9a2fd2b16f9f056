namespace LookupDecode.Text;

/// <summary>A prompt file is not valid UTF-8: names the file and the byte offset of the first invalid sequence.</summary>
public sealed class PromptFormatException(string path, long offset, Exception? innerException = null)
    : LookupDecodeException($"{path}: invalid UTF-8 at byte offset {offset}; prompt files are UTF-8 text (llama.cpp's -f passes bytes through, "
                            + "so a file that is not UTF-8 would not tokenize as it does there)", innerException)
{
    /// <summary>The file.</summary>
    public string Path { get; } = path;

    /// <summary>Byte offset of the first invalid UTF-8 sequence.</summary>
    public long Offset { get; } = offset;
}
