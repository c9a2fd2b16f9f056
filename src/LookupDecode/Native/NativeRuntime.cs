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
    private static string? _description;

    public static ILogger? Logger
    {
        get => LogRouter.Logger;
        set => LogRouter.Logger = value;
    }

    /// <summary>
    /// Environment variable naming a <c>libllama</c> to load instead of the backend package's, as <see cref="UseLibrary"/> does
    /// (a call to it wins). Lets every tool (CLI, benchmarks, server, tests, the model-check child) run on a library built for
    /// this machine (<c>native/build-cpu-backend.sh</c>).
    /// </summary>
    public const string LibraryVariable = "LOOKUPDECODE_LLAMA_LIBRARY";

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

            UseLibraryFromEnvironment();
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
            LogSystemInfo();
        }
    }

    /// <summary>Logs (at debug level) the instruction sets the loaded CPU backend was built with (<c>llama_print_system_info</c>).</summary>
    private static void LogSystemInfo()
    {
        if (LogRouter.Logger is { } logger && logger.IsEnabled(LogLevel.Debug))
        {
            var info = System.Runtime.InteropServices.Marshal.PtrToStringUTF8(NativeApi.llama_print_system_info());
            logger.LogDebug("system info: {SystemInfo}", info?.Trim());
        }
    }

    /// <summary>
    /// Describes the loaded native library (instruction set or custom path, GPU support). A custom library is named with
    /// the size and time of every library file beside it, so stored calibrations of one build never serve another.
    /// </summary>
    public static string Describe()
    {
        EnsureLoaded();

        // The library cannot change once loaded, and this is asked on every adaptive generation (its calibration's key).
        return _description ??= DescribeLoaded();
    }

    private static string DescribeLoaded()
    {
        var library = NativeApi.GetLoadedNativeLibrary(NativeLibraryName.LLama);
        var description = _libraryPath is { } custom
            ? $"llama.cpp from {custom} ({FolderIdentity(Path.GetDirectoryName(Path.GetFullPath(custom))!)})"
            : library?.Metadata?.ToString() ?? "llama.cpp (unknown build)";
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

    private static void UseLibraryFromEnvironment()
    {
        if (_libraryPath is not null || Environment.GetEnvironmentVariable(LibraryVariable) is not { Length: > 0 } path)
        {
            return;
        }

        if (NativeLibraryConfig.LLama.LibraryHasLoaded)
        {
            LogRouter.Logger?.LogWarning("{Variable} is ignored: llama.cpp was already loaded (by LLamaSharp directly) before LookupDecode's first use", LibraryVariable);
            return;
        }

        try
        {
            UseLibrary(Path.GetFullPath(path));
        }
        catch (FileNotFoundException exception)
        {
            throw new NativeBackendException($"{LibraryVariable} names '{path}', which does not exist (unset it to use the backend package's llama.cpp)", exception);
        }
    }

    /// <summary>Name, size and time of every native library in <paramref name="folder"/> (".so", ".dylib", ".dll").</summary>
    private static string FolderIdentity(string folder)
    {
        try
        {
            var files = Directory.EnumerateFiles(folder)
                .Where(file => file.Contains(".so", StringComparison.Ordinal) || file.EndsWith(".dylib", StringComparison.Ordinal) || file.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal)
                .Select(file => new FileInfo(file))
                .Select(file => $"{file.Name}:{file.Length}:{file.LastWriteTimeUtc.Ticks}");
            return string.Join(",", files);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return $"folder unreadable: {exception.Message}";
        }
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
