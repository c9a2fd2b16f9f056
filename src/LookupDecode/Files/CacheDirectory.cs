namespace LookupDecode.Files;

/// <summary>Where LookupDecode keeps what it measured or checked once, so later runs need not again.</summary>
public static class CacheDirectory
{
    /// <summary>
    /// <c>$LOOKUPDECODE_CACHE_DIR/<paramref name="name"/></c>, else the platform's user cache directory
    /// (<c>$XDG_CACHE_HOME</c> or <c>~/.cache</c> on Linux, LocalApplicationData elsewhere) + <c>lookupdecode/<paramref name="name"/></c>.
    /// </summary>
    public static string Of(string name)
    {
        if (Environment.GetEnvironmentVariable("LOOKUPDECODE_CACHE_DIR") is { Length: > 0 } configured)
        {
            return Path.Combine(configured, name);
        }

        var root = OperatingSystem.IsWindows()
            ? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData)
            : Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "lookupdecode", name);
    }
}
