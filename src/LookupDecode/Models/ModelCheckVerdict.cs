namespace LookupDecode.Models;

/// <summary>A stored child-process check: why the file was refused (null when it passed), what it cost, when.</summary>
internal sealed record ModelCheckVerdict(string? Problem, double Seconds, DateTimeOffset CheckedAt);
