namespace LookupDecode.Cli.Commands;

/// <summary>
/// The demo model the CLI ships (copied next to it at build time from tests/data/models): stories260K, Karpathy's
/// TinyStories llama2.c model as llama.cpp converts it for its own CI (1.2 MB, MIT). It writes children's stories,
/// which is enough to see drafting work end to end without downloading anything.
/// </summary>
internal static class DemoModel
{
    /// <summary>Its file name.</summary>
    public const string FileName = "stories260K.gguf";

    /// <summary>One line on what it is, for the note a command prints when it falls back to it.</summary>
    public const string Description = "TinyStories, 1.2 MB, MIT; it writes short children's stories";

    /// <summary>Where the build puts it: <c>demo/</c> beside the CLI's assembly.</summary>
    public static string Path => System.IO.Path.Combine(AppContext.BaseDirectory, "demo", FileName);
}
