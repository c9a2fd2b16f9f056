namespace LookupDecode.Files;

/// <summary>What a path names, after following symbolic links (or, for <see cref="SafeFiles.KindOfEntry"/>, without following them).</summary>
public enum FileKind
{
    /// <summary>Nothing exists there (or a symbolic link leads nowhere).</summary>
    Missing,

    /// <summary>A regular file: the only kind read or written.</summary>
    Regular,

    /// <summary>A directory.</summary>
    Directory,

    /// <summary>A named pipe: opening it blocks until a writer appears, and it cannot seek.</summary>
    Fifo,

    /// <summary>A character device (<c>/dev/null</c>, a terminal, <c>/dev/stdin</c> on a terminal).</summary>
    CharacterDevice,

    /// <summary>A block device.</summary>
    BlockDevice,

    /// <summary>A Unix socket.</summary>
    Socket,

    /// <summary>Anything else the operating system reports.</summary>
    Other,

    /// <summary>A symbolic link, dangling or not: reported only where links are not followed (<see cref="SafeFiles.KindOfEntry"/>).</summary>
    SymbolicLink,
}
