using Microsoft.Extensions.Logging;

namespace LookupDecode.Native;

/// <summary>
/// Process-wide settings of the llama.cpp runtime: where its log goes and which native library to load.
/// llama.cpp is loaded once per process, on the first model load.
/// </summary>
public static class LlamaRuntime
{
    /// <summary>Logger category under which llama.cpp's own log lines are written.</summary>
    public const string NativeLogCategory = "llama.cpp";

    /// <summary>
    /// Routes llama.cpp's log to <paramref name="logger"/> (whole lines, mapped to log levels); <c>null</c>
    /// silences it, which is the default. May be called at any time.
    /// </summary>
    public static void UseLogger(ILogger? logger) => NativeRuntime.Logger = logger;

    /// <summary>
    /// Loads llama.cpp from <paramref name="libllamaPath"/> (a custom build) instead of the backend package's
    /// copy. Must be called before the first model is loaded. See native/README.md.
    /// </summary>
    /// <exception cref="InvalidOperationException">llama.cpp is already loaded.</exception>
    /// <exception cref="FileNotFoundException">No file at <paramref name="libllamaPath"/>.</exception>
    public static void UseLibrary(string libllamaPath) => NativeRuntime.UseLibrary(libllamaPath);

    /// <summary>Loads llama.cpp if needed and describes the build in use (library, instruction set, GPU support).</summary>
    public static string Describe() => NativeRuntime.Describe();

    /// <summary>The chat template names llama.cpp knows ("chatml", "llama3", …), for validating a template option before use.</summary>
    public static IReadOnlyList<string> BuiltinChatTemplates() => NativeRuntime.BuiltinChatTemplates();

    /// <summary>Loads llama.cpp if it is not loaded yet (with the log router in place), for tools that call it directly.</summary>
    /// <exception cref="NativeBackendException">The native library cannot be loaded.</exception>
    public static void EnsureLoaded() => NativeRuntime.EnsureLoaded();
}
