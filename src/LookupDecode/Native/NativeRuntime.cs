using LLama.Native;
using Microsoft.Extensions.Logging;

namespace LookupDecode.Native;

/// <summary>
/// The one place that loads llama.cpp. Installs the log router before the library loads (so nothing is
/// printed before a logger is attached) and turns a load failure into <see cref="NativeBackendException"/>.
/// </summary>
internal static class NativeRuntime
{
    private static readonly Lock Gate = new();
    private static readonly NativeLogRouter LogRouter = new();
    private static bool _loaded;
    private static bool _callbackInstalled;
    private static string? _libraryPath;

    public static ILogger? Logger
    {
        get => LogRouter.Logger;
        set => LogRouter.Logger = value;
    }

    /// <summary>The llama.cpp library chosen with <see cref="UseLibrary"/>, or null for the backend package's.</summary>
    public static string? LibraryPath => _libraryPath;

    public static void UseLibrary(string libllamaPath)
    {
        lock (Gate)
        {
            if (_loaded || NativeLibraryConfig.LLama.LibraryHasLoaded)
            {
                throw new InvalidOperationException("llama.cpp is already loaded; choose the library before the first model is loaded.");
            }

            if (!File.Exists(libllamaPath))
            {
                throw new FileNotFoundException($"No llama.cpp library at '{libllamaPath}'.", libllamaPath);
            }

            NativeLibraryConfig.LLama.WithLibrary(libllamaPath);
            _libraryPath = libllamaPath;
        }
    }

    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (_loaded)
            {
                return;
            }

            InstallLogCallback();
            try
            {
                NativeApi.llama_empty_call();
            }
            catch (Exception exception) when (exception is DllNotFoundException or TypeInitializationException
                                                  or EntryPointNotFoundException or BadImageFormatException
                                                  or LLama.Exceptions.RuntimeError)
            {
                throw new NativeBackendException(
                    "llama.cpp could not be loaded" + (_libraryPath is null ? "" : $" from '{_libraryPath}'")
                    + ". Check that the LLamaSharp backend package matches this machine (see native/README.md).",
                    exception);
            }

            _loaded = true;
        }
    }

    /// <summary>Describes the loaded native library (path, instruction set, GPU support).</summary>
    public static string Describe()
    {
        EnsureLoaded();
        var library = NativeApi.GetLoadedNativeLibrary(NativeLibraryName.LLama);
        var description = library?.Metadata?.ToString() ?? "llama.cpp (unknown build)";
        var gpu = NativeApi.llama_supports_gpu_offload() ? "GPU offload available" : "CPU only";
        return $"{description}; {gpu}";
    }

    /// <summary>The chat template names llama.cpp knows (<c>llama_chat_builtin_templates</c>), sorted.</summary>
    public static unsafe IReadOnlyList<string> BuiltinChatTemplates()
    {
        EnsureLoaded();
        var count = NativeApi.llama_chat_builtin_templates(null, 0);
        if (count <= 0)
        {
            return [];
        }

        var names = new char*[count];
        fixed (char** output = names)
        {
            count = Math.Min(count, NativeApi.llama_chat_builtin_templates(output, (nuint)names.Length));
        }

        // The binding types them char*, but they are C strings (UTF-8).
        var result = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            result.Add(System.Runtime.InteropServices.Marshal.PtrToStringUTF8((IntPtr)names[i]) ?? "");
        }

        result.Sort(StringComparer.Ordinal);
        return result;
    }

    private static void InstallLogCallback()
    {
        if (_callbackInstalled)
        {
            return;
        }

        // Registered before the first native call so that loading itself is already routed (or silenced).
        NativeLibraryConfig.All.WithLogCallback(LogRouter.OnNativeLog);
        NativeLogConfig.llama_log_set(LogRouter.OnNativeLog);
        _callbackInstalled = true;
    }
}
