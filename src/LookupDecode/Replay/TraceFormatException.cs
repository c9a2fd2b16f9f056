namespace LookupDecode.Replay;

/// <summary>A trace file (questions or recorded answers) is malformed, or the two files do not belong together.</summary>
public sealed class TraceFormatException : LookupDecodeException
{
    /// <summary>Creates the exception for <paramref name="path"/>, at <paramref name="line"/> (1-based; 0 = the file as a whole).</summary>
    public TraceFormatException(string path, int line, string problem, Exception? innerException = null)
        : base(line > 0 ? $"{path}, line {line}: {problem}" : $"{path}: {problem}", innerException)
    {
        Path = path;
        Line = line;
        Problem = problem;
    }

    /// <summary>Makes the exception for a line (the shape <see cref="Text.Utf8Lines"/> asks for).</summary>
    internal static Exception ForLine(string path, int line, string problem) => new TraceFormatException(path, line, problem);

    /// <summary>The file at fault.</summary>
    public string Path { get; }

    /// <summary>1-based line of the problem, or 0 when it concerns the whole file.</summary>
    public int Line { get; }

    /// <summary>What is wrong.</summary>
    public string Problem { get; }
}
