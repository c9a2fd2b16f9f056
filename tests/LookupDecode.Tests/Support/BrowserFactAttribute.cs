namespace LookupDecode.Tests.Support;

/// <summary>
/// A fact that needs the test models and a Chromium to drive (Debian's <c>chromium</c>, which <c>.ci/run</c> installs;
/// or <c>LOOKUPDECODE_CHROMIUM</c>); skipped with the reason when either is absent.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        Skip = TestPaths.MissingFixturesReason ?? (Chromium is null ? "no Chromium: install Debian's chromium or set LOOKUPDECODE_CHROMIUM" : null);
    }

    /// <summary>The Chromium executable, or null.</summary>
    public static string? Chromium =>
        ((string?[])[Environment.GetEnvironmentVariable("LOOKUPDECODE_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"])
        .FirstOrDefault(path => !string.IsNullOrEmpty(path) && File.Exists(path));
}
