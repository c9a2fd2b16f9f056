namespace LookupDecode.Text;

/// <summary>Reads prompt files the way llama.cpp's <c>-f</c> option does, so prompts tokenize identically.</summary>
public static class PromptFile
{
    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The file's UTF-8 text with exactly one trailing newline removed: llama.cpp's <c>-f</c> drops it, and a
    /// prompt that keeps it tokenizes differently (and continues differently). The bytes are decoded exactly as they are
    /// (a byte-order mark stays, as llama.cpp passes it on); invalid UTF-8 is refused rather than replaced. A file that is
    /// only a byte-order mark holds no text and reads as empty (on a model that adds no BOS, an empty prompt is refused,
    /// rather than generating from the mark's byte tokens).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="Files.UnsafeFileException">The path is a FIFO, device or directory.</exception>
    /// <exception cref="PromptFormatException">The file is not valid UTF-8 (names the byte offset).</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be read.</exception>
    public static string ReadText(string path)
    {
        byte[] bytes;
        using (var stream = Files.SafeFiles.OpenRead(path, "prompt file"))
        using (var memory = new MemoryStream())
        {
            stream.CopyTo(memory);
            bytes = memory.ToArray();
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (System.Text.DecoderFallbackException exception)
        {
            throw new PromptFormatException(path, FirstInvalidOffset(bytes), exception);
        }

        text = text.EndsWith('\n') ? text[..^1] : text;
        return text == "\uFEFF" ? string.Empty : text;
    }

    /// <summary>The offset of the first byte that does not start or continue a valid UTF-8 sequence.</summary>
    private static long FirstInvalidOffset(byte[] bytes)
    {
        var remaining = bytes.AsSpan();
        long offset = 0;
        while (!remaining.IsEmpty)
        {
            var status = System.Text.Rune.DecodeFromUtf8(remaining, out _, out var consumed);
            if (status != System.Buffers.OperationStatus.Done)
            {
                return offset;
            }

            offset += consumed;
            remaining = remaining[consumed..];
        }

        return offset;
    }
}
