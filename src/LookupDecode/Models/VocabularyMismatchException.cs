namespace LookupDecode.Models;

/// <summary>A draft model's vocabulary differs from the target's where speculative decoding needs them equal; names the first difference.</summary>
public sealed class VocabularyMismatchException : LookupDecodeException
{
    /// <summary>Creates the error.</summary>
    public VocabularyMismatchException(string targetPath, string draftPath, string difference)
        : base($"Draft model '{draftPath}' cannot draft for '{targetPath}': {difference}")
    {
        TargetPath = targetPath;
        DraftPath = draftPath;
        Difference = difference;
    }

    /// <summary>The model that verifies.</summary>
    public string TargetPath { get; }

    /// <summary>The model that would draft.</summary>
    public string DraftPath { get; }

    /// <summary>The first difference found.</summary>
    public string Difference { get; }
}
