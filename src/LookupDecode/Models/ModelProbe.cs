using System.Diagnostics;
using System.Globalization;
using LookupDecode.Gguf;
using LookupDecode.Native;
using Microsoft.Extensions.Logging;

namespace LookupDecode.Models;

/// <summary>
/// The child-process check of <see cref="ModelCheckMode.Child"/>: llama.cpp loads the file and decodes a few tokens in a
/// separate process (<c>LookupDecode.ModelProbe</c>), so an assertion that aborts it ends the child, not the caller. The
/// verdict is stored per file identity (<see cref="ModelIdentity"/>) in <see cref="ModelCheckStore"/>.
/// </summary>
public static partial class ModelProbe
{
    /// <summary>File name of the child program, looked for beside this assembly and the application.</summary>
    public const string ProgramFileName = "LookupDecode.ModelProbe.dll";

    /// <summary>Environment variable that names the child program explicitly.</summary>
    public const string ProgramVariable = "LOOKUPDECODE_MODEL_PROBE";

    private const int Refused = 2;
    private const int NonFinite = 3;
    private const int ChildFailed = 4;

    /// <summary>
    /// Entry point of the child: <c>PATH [--context N] [--gpu-layers N] [--no-mmap] [--library LIBLLAMA]</c>. Prints one
    /// line: <c>ok</c> (exit 0), <c>refused: …</c> (exit 2) or <c>nonfinite: …</c> (exit 3). llama.cpp's log goes to stderr.
    /// </summary>
    public static int RunChild(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length == 0)
        {
            Console.Error.WriteLine("usage: LookupDecode.ModelProbe PATH [--context N] [--gpu-layers N] [--no-mmap] [--library LIBLLAMA]");
            return Refused;
        }

        var options = new ModelOptions { ContextSize = 64, BatchSize = 64, Threads = 1, CheckMode = ModelCheckMode.None };
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--gpu-layers" when i + 1 < args.Length:
                    options = options with { GpuLayers = int.Parse(args[++i], CultureInfo.InvariantCulture) };
                    break;
                case "--no-mmap":
                    options = options with { UseMemoryMap = false };
                    break;
                case "--library" when i + 1 < args.Length:
                    NativeRuntime.UseLibrary(args[++i]);
                    break;
                case "--kv" when i + 1 < args.Length:
                    options = options with { KvCacheType = Enum.Parse<KvCacheType>(args[++i]) };
                    break;
            }
        }

        NativeRuntime.Logger = new StandardErrorLogger();
        // Ctrl+C at the parent's terminal reaches this process group too; the parent decides when to stop the check.
        using var interrupt = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, context => context.Cancel = true);
        try
        {
            using var model = LlamaModel.Load(args[0], options);
            var text = model.CanEncode("Hello") ? "Hello" : string.Empty;
            var tokens = text.Length > 0 ? model.Tokenize(text) : [model.Native.BeginningOfSequence ?? 0];
            if (tokens.Length == 0)
            {
                tokens = [0];
            }

            using var context = NativeContext.Create(model.Native, options, model.HeadSize);
            context.Decode(tokens, 0, logitsForAll: false);
            var logits = context.Logits(tokens.Length - 1);
            foreach (var logit in logits)
            {
                if (!float.IsFinite(logit))
                {
                    Console.Out.WriteLine($"nonfinite: the logits of a first decode are {logit}: the weights are garbage (NaN or infinity)");
                    return NonFinite;
                }
            }

            if (logits.Length > 1 && logits.IndexOfAnyExcept(logits[0]) < 0)
            {
                Console.Out.WriteLine($"nonfinite: every logit of a first decode is {logits[0]}: the model would emit token 0 forever (zeroed weights)");
                return NonFinite;
            }

            Console.Out.WriteLine("ok");
            return 0;
        }
        catch (LookupDecodeException exception)
        {
            var reason = exception is ModelLoadException load ? load.Problem : exception.Message;
            Console.Out.WriteLine($"refused: {reason.Replace("; run with --verbose to see llama.cpp's reason", "", StringComparison.Ordinal)}");
            return Refused;
        }
        catch (Exception exception)
        {
            // Not llama.cpp's doing: report it as the child's own failure (never stored), not as a crash.
            Console.Out.WriteLine($"failed: {exception.GetType().Name}: {exception.Message}");
            return ChildFailed;
        }
    }

    /// <summary>
    /// Checks <paramref name="path"/> in a child process unless a verdict for this exact file is stored; throws
    /// <see cref="ModelLoadException"/> when the child crashed, hung, refused the file or computed NaN. A file without a
    /// stored verdict gets the managed weight scan first; a file that passed before needs neither again.
    /// </summary>
    internal static void Verify(string path, GgufFile file, ModelOptions options, ILogger logger, string? storeDirectory = null)
    {
        var identity = Identity(path, file, options);
        var store = new ModelCheckStore(storeDirectory ?? ModelCheckStore.DefaultDirectory);
        if (store.TryGet(identity, out var stored))
        {
            if (stored.Problem is not null)
            {
                throw new ModelLoadException(path, stored.Problem);
            }

            return;
        }

        ModelFileCheck.ScanWeights(file, path);
        if (FindProgram() is null)
        {
            // A library consumer without the probe program (e.g. from NuGet): the managed checks have run; say what is missing.
            LogNoProbe(logger, ProgramFileName, ProgramVariable);
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var result = RunAndJudge(path, options);
        var elapsed = Stopwatch.GetElapsedTime(started);
        LogChecked(logger, System.IO.Path.GetFileName(path), elapsed.TotalMilliseconds, result.Problem ?? "ok");
        if (IsAboutTheFile(result))
        {
            store.Put(identity, new ModelCheckVerdict(result.Problem, elapsed.TotalSeconds, DateTimeOffset.UtcNow));
        }

        if (result.Problem is not null)
        {
            throw new ModelLoadException(path, result.Problem);
        }
    }

    /// <summary>
    /// Outcomes that say something about the file and are stored: a pass, garbage logits, or a crash by a fault signal.
    /// Timeouts, a child killed by the user or the system (SIGINT, SIGTERM, SIGKILL), failures of the child itself and
    /// refusals (which may be a GPU out of memory) are checked again next time.
    /// </summary>
    private static bool IsAboutTheFile(ModelProbeResult result) => result.Outcome switch
    {
        ModelProbeOutcome.Passed or ModelProbeOutcome.Garbage => true,
        ModelProbeOutcome.Crashed => result.Signal is 4 or 6 or 7 or 8 or 11,
        _ => false,
    };

    private static ModelIdentity Identity(string path, GgufFile file, ModelOptions options)
        => ModelIdentity.Of(path, file,
            $"{NativeRuntime.Describe()}|{NativeRuntime.LibraryPath}|llamasharp {typeof(LLama.Native.NativeApi).Assembly.GetName().Version}|"
            + $"lookupdecode {typeof(ModelProbe).Assembly.GetName().Version}|gpu{options.GpuLayers}|{options.KvCacheType}|mmap{options.UseMemoryMap}");

    /// <summary>
    /// Runs the child-process check alone on <paramref name="path"/>: no managed rules, no stored verdict. The outcome says
    /// whether llama.cpp loaded the file and decoded finite, varied logits, refused it, computed garbage or crashed (the
    /// problem then names the signal and llama.cpp's last words). For fuzzing and diagnostics; loads go through <see cref="LlamaModel.Load"/>.
    /// </summary>
    public static ModelProbeResult CheckInChild(string path, ModelOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return RunAndJudge(path, options ?? new ModelOptions());
    }

    internal static ModelProbeResult RunAndJudge(string path, ModelOptions options)
    {
        var start = ChildStartInfo(path, options);
        using var child = new Process { StartInfo = start };
        var lastLines = new Queue<string>();
        var output = new System.Text.StringBuilder();
        var managedCrash = false;
        child.ErrorDataReceived += (_, line) =>
        {
            if (!string.IsNullOrWhiteSpace(line.Data))
            {
                lock (lastLines)
                {
                    // The .NET runtime's own last words: the child's managed code failed, not llama.cpp on this file.
                    managedCrash |= line.Data.StartsWith("Unhandled exception.", StringComparison.Ordinal);
                    lastLines.Enqueue(line.Data.Trim());
                    if (lastLines.Count > 8)
                    {
                        lastLines.Dequeue();
                    }
                }
            }
        };
        child.OutputDataReceived += (_, line) =>
        {
            if (line.Data is not null)
            {
                lock (output)
                {
                    output.AppendLine(line.Data);
                }
            }
        };
        try
        {
            child.Start();
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new NativeBackendException($"the model check could not start its child process ({start.FileName}): {exception.Message}; choose ModelCheckMode.Managed to load without it", exception);
        }

        child.BeginErrorReadLine();
        child.BeginOutputReadLine();
        if (!child.WaitForExit(options.CheckTimeout))
        {
            child.Kill(entireProcessTree: true);
            child.WaitForExit();
            return new(ModelProbeOutcome.TimedOut, $"llama.cpp did not finish loading it and decoding once within {options.CheckTimeout.TotalSeconds:0} s in a child process (hang?)");
        }

        child.WaitForExit();
        string verdict;
        lock (output)
        {
            // The verdict is the child's last line: anything a native component printed before it is ignored.
            verdict = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? string.Empty;
        }

        string lastWords;
        bool managedFailure;
        lock (lastLines)
        {
            lastWords = LastWords(lastLines);
            managedFailure = managedCrash;
        }

        return child.ExitCode switch
        {
            0 when verdict == "ok" => new(ModelProbeOutcome.Passed, null),
            Refused when verdict.StartsWith("refused: ", StringComparison.Ordinal) => new(ModelProbeOutcome.Refused, $"{verdict["refused: ".Length..]}; llama.cpp's last words: {lastWords}"),
            NonFinite when verdict.StartsWith("nonfinite: ", StringComparison.Ordinal) => new(ModelProbeOutcome.Garbage, verdict["nonfinite: ".Length..]),
            ChildFailed when verdict.StartsWith("failed: ", StringComparison.Ordinal) => new(ModelProbeOutcome.Failed, $"the child process checking it failed ({verdict["failed: ".Length..]})"),
            > 128 and < 160 when managedFailure => new(ModelProbeOutcome.Failed, $"the child process checking it failed with an unhandled .NET exception; its last words: {lastWords}"),
            > 128 and < 160 => new(ModelProbeOutcome.Crashed, $"llama.cpp crashed loading it in a child process ({SignalName(child.ExitCode - 128)}); its last words: {lastWords}") { Signal = child.ExitCode - 128 },
            var code => new(ModelProbeOutcome.Failed, $"the child process checking it failed (exit {code}); its last words: {lastWords}"),
        };
    }

    private static string LastWords(IEnumerable<string> lines)
    {
        var kept = lines.ToList();
        var assertion = kept.LastOrDefault(line => line.Contains("GGML_ASSERT", StringComparison.Ordinal) || line.Contains("error", StringComparison.OrdinalIgnoreCase) || line.Contains("terminate", StringComparison.Ordinal));
        var chosen = assertion ?? kept.LastOrDefault();
        return chosen is null ? "(nothing)" : $"'{chosen}'";
    }

    private static string SignalName(int signal) => signal switch
    {
        6 => "SIGABRT",
        4 => "SIGILL",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        _ => $"signal {signal}",
    };

    private static ProcessStartInfo ChildStartInfo(string path, ModelOptions options)
    {
        var program = FindProgram() ?? throw new NativeBackendException(
            $"the model check's child program {ProgramFileName} is not beside LookupDecode.dll; reference the LookupDecode.ModelProbe project (or set {ProgramVariable}), or choose ModelCheckMode.Managed");
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(program);
        start.ArgumentList.Add(System.IO.Path.GetFullPath(path));
        start.ArgumentList.Add("--gpu-layers");
        start.ArgumentList.Add(options.GpuLayers.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add("--kv");
        start.ArgumentList.Add(options.KvCacheType.ToString());
        if (!options.UseMemoryMap)
        {
            start.ArgumentList.Add("--no-mmap");
        }

        if (NativeRuntime.LibraryPath is { } library)
        {
            start.ArgumentList.Add("--library");
            start.ArgumentList.Add(library);
        }

        // A crash dump of an intentional abort is noise; the child is small and short-lived.
        start.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        start.Environment["DOTNET_EnableCrashReport"] = "0";
        return start;
    }

    private static string? FindProgram()
    {
        if (Environment.GetEnvironmentVariable(ProgramVariable) is { Length: > 0 } configured)
        {
            return configured;
        }

        string?[] directories = [System.IO.Path.GetDirectoryName(typeof(ModelProbe).Assembly.Location), AppContext.BaseDirectory];
        foreach (var directory in directories)
        {
            if (directory is { Length: > 0 } && System.IO.Path.Combine(directory, ProgramFileName) is var candidate && File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The dotnet host running this process, else the one that owns the runtime directory.</summary>
    private static string DotnetHost()
    {
        var executable = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        if (Environment.ProcessPath is { } current && System.IO.Path.GetFileName(current) == executable)
        {
            return current;
        }

        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        // …/shared/Microsoft.NETCore.App/<version>/ → …/dotnet
        var runtime = System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory();
        var root = Directory.GetParent(runtime.TrimEnd(System.IO.Path.DirectorySeparatorChar))?.Parent?.Parent?.FullName;
        if (root is not null && System.IO.Path.Combine(root, executable) is var fromRuntime && File.Exists(fromRuntime))
        {
            return fromRuntime;
        }

        return executable;
    }

    [LoggerMessage(EventId = 41, Level = LogLevel.Warning, Message = "The model check's child program {Program} is not installed beside LookupDecode.dll (reference LookupDecode.ModelProbe or set {Variable}): only the managed checks ran")]
    private static partial void LogNoProbe(ILogger logger, string program, string variable);

    [LoggerMessage(EventId = 40, Level = LogLevel.Information, Message = "Checked {Model} in a child process in {Milliseconds:0} ms: {Verdict}")]
    private static partial void LogChecked(ILogger logger, string model, double milliseconds, string verdict);

    /// <summary>Writes llama.cpp's log lines to stderr, where the parent reads the last of them.</summary>
    private sealed class StandardErrorLogger : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => Console.Error.WriteLine(formatter(state, exception));
    }
}
