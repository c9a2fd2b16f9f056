using Mono.Unix.Native;

namespace LookupDecode.Files;

/// <summary>
/// Checks made before any file is opened. Inputs must be regular files (a FIFO would block <c>open()</c> forever and a
/// device or pipe cannot seek); outputs are written to a temporary file beside their final target and renamed over it,
/// so a symbolic link keeps pointing where it did (its target is updated), a device or FIFO is never replaced, and an
/// output that is one of the inputs is refused before anything is written.
/// </summary>
public static class SafeFiles
{
    /// <summary>What <paramref name="path"/> names, following symbolic links.</summary>
    public static FileKind KindOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (OperatingSystem.IsWindows() || !NativeStatAvailable)
        {
            return ManagedKindOf(path);
        }

        return Syscall.stat(path, out var status) != 0 ? FileKind.Missing : KindOf(status.st_mode);
    }

    private static FileKind KindOf(FilePermissions mode)
    {
        return (mode & FilePermissions.S_IFMT) switch
        {
            FilePermissions.S_IFREG => FileKind.Regular,
            FilePermissions.S_IFDIR => FileKind.Directory,
            FilePermissions.S_IFIFO => FileKind.Fifo,
            FilePermissions.S_IFCHR => FileKind.CharacterDevice,
            FilePermissions.S_IFBLK => FileKind.BlockDevice,
            FilePermissions.S_IFSOCK => FileKind.Socket,
            _ => FileKind.Other,
        };
    }

    /// <summary>
    /// What <paramref name="path"/> itself is, without following a symbolic link there: <see cref="FileKind.SymbolicLink"/>
    /// for a link, dangling or not. Stores that own a directory judge its entries this way, so a planted link is never
    /// followed out of it.
    /// </summary>
    public static FileKind KindOfEntry(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (OperatingSystem.IsWindows() || !NativeStatAvailable)
        {
            try
            {
                return new FileInfo(path).LinkTarget is null ? ManagedKindOf(path) : FileKind.SymbolicLink;
            }
            catch (IOException)
            {
                return FileKind.Other;
            }
        }

        if (Syscall.lstat(path, out var status) != 0)
        {
            return FileKind.Missing;
        }

        return (status.st_mode & FilePermissions.S_IFMT) == FilePermissions.S_IFLNK ? FileKind.SymbolicLink : KindOf(status.st_mode);
    }

    /// <summary>
    /// Throws unless <paramref name="path"/> is an existing regular file: <see cref="FileNotFoundException"/> when
    /// nothing is there, <see cref="UnsafeFileException"/> for a directory, FIFO, device or socket (never opened).
    /// </summary>
    /// <param name="path">The input.</param>
    /// <param name="role">What it is for, named in the error ("model", "lookup cache", …).</param>
    public static void RequireInput(string path, string role)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var kind = KindOf(path);
        if (kind == FileKind.Missing)
        {
            throw new FileNotFoundException($"{role} '{path}' does not exist.", path);
        }

        if (kind != FileKind.Regular)
        {
            throw new UnsafeFileException(path, role, $"it is {Describe(kind)}, not a regular file (only regular files are read)");
        }
    }

    /// <summary>
    /// Opens <paramref name="path"/> for reading only if it is a regular file, judged on the opened descriptor itself (no
    /// window between the check and the open): on Unix it is opened non-blocking (a FIFO swapped in cannot block) and
    /// <c>fstat</c>-ed. Missing: <see cref="FileNotFoundException"/>; not regular: <see cref="UnsafeFileException"/>.
    /// With <paramref name="followLinks"/> false a symbolic link at <paramref name="path"/> is refused too (<c>O_NOFOLLOW</c>).
    /// </summary>
    public static FileStream OpenRead(string path, string role, int bufferSize = 1 << 16, bool followLinks = true)
    {
        if (followLinks)
        {
            RequireInput(path, role);
        }
        else
        {
            RequireRegularEntry(path, role);
        }

        if (OperatingSystem.IsWindows() || !NativeStatAvailable)
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize);
        }

        var flags = OpenFlags.O_RDONLY | OpenFlags.O_NONBLOCK | OpenFlags.O_CLOEXEC | (followLinks ? 0 : OpenFlags.O_NOFOLLOW);
        var descriptor = Syscall.open(path, flags);
        if (descriptor < 0)
        {
            var error = Stdlib.GetLastError();
            throw error switch
            {
                Errno.ELOOP when !followLinks => new UnsafeFileException(path, role, "it is a symbolic link (links are not followed here)"),
                Errno.ENOENT or Errno.ENOTDIR => new FileNotFoundException($"{role} '{path}' does not exist.", path),
                Errno.EACCES or Errno.EPERM => new UnauthorizedAccessException($"{role} '{path}' cannot be read (permission denied)."),
                _ => new IOException($"{role} '{path}' cannot be opened ({error})."),
            };
        }

        var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(descriptor, ownsHandle: true);
        try
        {
            if (Syscall.fstat(descriptor, out var status) != 0 || (status.st_mode & FilePermissions.S_IFMT) != FilePermissions.S_IFREG)
            {
                throw new UnsafeFileException(path, role, "it changed into something other than a regular file while being opened");
            }

            return new FileStream(handle, FileAccess.Read, bufferSize);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static void RequireRegularEntry(string path, string role)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var kind = KindOfEntry(path);
        if (kind == FileKind.Missing)
        {
            throw new FileNotFoundException($"{role} '{path}' does not exist.", path);
        }

        if (kind != FileKind.Regular)
        {
            throw new UnsafeFileException(path, role, $"it is {Describe(kind)}, not a regular file (only regular files are read, links are not followed here)");
        }
    }

    /// <summary>
    /// The path an output to <paramref name="path"/> is written to: the final target of a symbolic link, or the path
    /// itself. Throws <see cref="UnsafeFileException"/> when something other than a regular file is there.
    /// </summary>
    public static string ResolveOutput(string path, string role)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        string target;
        try
        {
            var entry = new FileInfo(full);
            target = entry.LinkTarget is null ? full : entry.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full;
        }
        catch (IOException exception)
        {
            throw new UnsafeFileException(path, role, $"its symbolic links cannot be followed ({exception.Message})");
        }

        var kind = KindOf(target);
        if (kind is not (FileKind.Regular or FileKind.Missing))
        {
            throw new UnsafeFileException(path, role, $"it is {Describe(kind)}; only a regular file is written (nothing was replaced)");
        }

        return target;
    }

    private static string ResolveOwnEntry(string path, string role)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        var kind = KindOfEntry(full);
        if (kind is not (FileKind.Regular or FileKind.Missing))
        {
            throw new UnsafeFileException(path, role, $"it is {Describe(kind)}; only a regular file is written here and links are not followed (nothing was replaced)");
        }

        return full;
    }

    /// <summary>Throws <see cref="UnsafeFileException"/> when <paramref name="output"/> is the same file as one of <paramref name="inputs"/>.</summary>
    public static void RequireDistinct(string output, string role, params string[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var resolvedOutput = ResolveOutput(output, role);
        foreach (var input in inputs)
        {
            if (SameFile(resolvedOutput, input))
            {
                throw new UnsafeFileException(output, role, $"it is the input '{input}'; write the result elsewhere (the input was left untouched)");
            }
        }
    }

    /// <summary>
    /// Writes <paramref name="path"/> through <paramref name="write"/>: to a temporary file beside its final target,
    /// flushed, then renamed over it. A failure leaves whatever was there before.
    /// </summary>
    /// <param name="path">The file to write.</param>
    /// <param name="role">What it is, named in errors.</param>
    /// <param name="write">Writes the content.</param>
    /// <param name="createDirectory">Create the target's directory when missing (stores of our own); otherwise a missing directory is an error.</param>
    /// <param name="followLinks">
    /// Update a symbolic link's target (the default, for files a user names). False for entries of a directory a store
    /// owns: only a regular file or nothing may be at <paramref name="path"/>, and a link there is refused, never followed.
    /// </param>
    public static void WriteAtomically(string path, string role, Action<FileStream> write, bool createDirectory = false, bool followLinks = true)
    {
        ArgumentNullException.ThrowIfNull(write);
        var target = followLinks ? ResolveOutput(path, role) : ResolveOwnEntry(path, role);
        var directory = Path.GetDirectoryName(target) ?? ".";
        if (createDirectory)
        {
            Directory.CreateDirectory(directory);
        }

        if (!Directory.Exists(directory))
        {
            throw new UnsafeFileException(path, role, $"the directory '{directory}' does not exist");
        }

        // A short temporary name (a long target name stays legal) beside the target, so the rename is atomic.
        var name = Path.GetFileName(target);
        var temporary = Path.Combine(directory, $".{(name.Length > 180 ? name[..180] : name)}.{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray(), 0, 6)}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            // The replacement keeps the permissions of the file it replaces (a private memory stays private).
            if (!OperatingSystem.IsWindows() && File.Exists(target))
            {
                File.SetUnixFileMode(temporary, File.GetUnixFileMode(target));
            }

            File.Move(temporary, target, overwrite: true);
        }
        finally
        {
            try
            {
                File.Delete(temporary);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Leaving a stray temporary file must not hide why the write failed.
            }
        }
    }

    /// <summary>Whether two paths name the same file (same device and inode), whatever links lead to them.</summary>
    public static bool SameFile(string first, string second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (!OperatingSystem.IsWindows() && NativeStatAvailable && Syscall.stat(first, out var a) == 0 && Syscall.stat(second, out var b) == 0)
        {
            return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
        }

        return string.Equals(Canonical(first), Canonical(second), OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
    }

    /// <summary>"a FIFO", "a directory", …, for messages.</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Missing => "missing",
        FileKind.Regular => "a regular file",
        FileKind.Directory => "a directory",
        FileKind.Fifo => "a FIFO (named pipe)",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Socket => "a socket",
        FileKind.SymbolicLink => "a symbolic link",
        _ => "not a regular file",
    };

    private static string Canonical(string path)
    {
        var full = Path.GetFullPath(path);
        try
        {
            var entry = new FileInfo(full);
            return entry.LinkTarget is null ? full : entry.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full;
        }
        catch (IOException)
        {
            return full;
        }
    }

    /// <summary>
    /// Whether Mono.Unix's native library loads here (it ships for linux-x64/arm/arm64 and macOS, not for musl or other
    /// platforms). Without it, files are classified with managed calls only: directories and missing files are still
    /// told apart, FIFOs and devices are not.
    /// </summary>
    private static readonly bool NativeStatAvailable = ProbeNativeStat();

    private static bool ProbeNativeStat()
    {
        try
        {
            _ = Syscall.stat("/", out _);
            return true;
        }
        catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException or TypeInitializationException or BadImageFormatException)
        {
            return false;
        }
    }

    private static FileKind ManagedKindOf(string path)
    {
        if (Directory.Exists(path))
        {
            return FileKind.Directory;
        }

        if (!File.Exists(path))
        {
            return FileKind.Missing;
        }

        return (File.GetAttributes(path) & FileAttributes.Device) != 0 ? FileKind.CharacterDevice : FileKind.Regular;
    }
}
