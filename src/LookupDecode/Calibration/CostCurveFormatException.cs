namespace LookupDecode.Calibration;

/// <summary>A cost curve file is malformed: not JSON, no batch of 1, a batch size or relative cost out of range.</summary>
public sealed class CostCurveFormatException(string path, string problem, Exception? innerException = null)
    : LookupDecodeException($"{path}: {problem}", innerException)
{
    /// <summary>The file at fault.</summary>
    public string Path { get; } = path;
}
