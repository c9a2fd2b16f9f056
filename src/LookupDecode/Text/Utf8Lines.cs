using System.Buffers;
using System.Text;

namespace LookupDecode.Text;

/// <summary>
/// Reads a text file line by line as strict UTF-8: a line holding bytes that are not UTF-8 is refused with its number
/// and the byte's column, never silently replaced (as <see cref="File.ReadLines(string)"/> does). A leading byte-order
/// mark is skipped; lines end at <c>\n</c> (a <c>\r</c> before it is dropped).
/// </summary>
internal static class Utf8Lines
{
    /// <summary>The longest line read (a larger one is refused rather than buffered).</summary>
    public const int MaxLineBytes = 256 << 20;

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <param name="path">The file, already checked to be a regular file.</param>
    /// <param name="refuse">Makes the caller's exception for (path, 1-based line, problem).</param>
    public static IEnumerable<(int Line, string Text)> Read(string path, Func<string, int, string, Exception> refuse)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        var line = new ArrayBufferWriter<byte>(4096);
        var buffer = new byte[1 << 16];
        var number = 0;
        var first = true;
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            var chunk = buffer.AsSpan(0, read);
            if (first)
            {
                first = false;
                if (chunk.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
                {
                    chunk = chunk[3..];
                }
            }

            var lines = new List<(int, string)>();
            while (chunk.Length > 0)
            {
                var end = chunk.IndexOf((byte)'\n');
                var part = end < 0 ? chunk : chunk[..end];
                if (line.WrittenCount + part.Length > MaxLineBytes)
                {
                    throw refuse(path, number + 1, $"is longer than {MaxLineBytes} bytes");
                }

                line.Write(part);
                if (end < 0)
                {
                    break;
                }

                number++;
                lines.Add((number, Decode(path, number, line.WrittenSpan, refuse)));
                line.ResetWrittenCount();
                chunk = chunk[(end + 1)..];
            }

            // Spans cannot live across a yield: this chunk's lines are handed out once it is cut.
            foreach (var complete in lines)
            {
                yield return complete;
            }
        }

        if (line.WrittenCount > 0)
        {
            number++;
            yield return (number, Decode(path, number, line.WrittenSpan, refuse));
        }
    }

    private static string Decode(string path, int number, ReadOnlySpan<byte> bytes, Func<string, int, string, Exception> refuse)
    {
        if (bytes.Length > 0 && bytes[^1] == (byte)'\r')
        {
            bytes = bytes[..^1];
        }

        if (System.Text.Unicode.Utf8.IsValid(bytes))
        {
            return Strict.GetString(bytes);
        }

        var column = 0;
        while (column < bytes.Length && Rune.DecodeFromUtf8(bytes[column..], out _, out var consumed) == OperationStatus.Done)
        {
            column += consumed;
        }

        throw refuse(path, number, $"is not UTF-8 (byte 0x{bytes[column]:X2} at byte {column + 1} of the line)");
    }
}
