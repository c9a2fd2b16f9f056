namespace LookupDecode.Drafting.Suffix;

/// <summary>A suffix memory file is not one <see cref="SuffixMemoryStore.Save"/> wrote: names the file, the byte offset and the rule.</summary>
public sealed class SuffixMemoryFormatException : LookupDecodeException
{
    /// <summary>Creates the error.</summary>
    public SuffixMemoryFormatException(string path, long offset, string rule)
        : base($"Invalid suffix memory '{path}' at byte offset {offset}: {rule}")
    {
        Path = path;
        Offset = offset;
        Rule = rule;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Where the problem is.</summary>
    public long Offset { get; }

    /// <summary>What is wrong.</summary>
    public string Rule { get; }
}
