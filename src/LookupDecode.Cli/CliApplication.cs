using System.CommandLine;
using LookupDecode.Cli.Commands;

namespace LookupDecode.Cli;

/// <summary>
/// Builds the <c>lookupdecode</c> command tree and runs it. Usage errors and every
/// <see cref="LookupDecodeException"/> end as one line on stderr and a non-zero exit code; no stack traces.
/// </summary>
internal static class CliApplication
{
    /// <summary>Exit code of a successful run.</summary>
    public const int Success = 0;

    /// <summary>Exit code when the input (model, prompt, cache file, option value) is at fault.</summary>
    public const int InputError = 1;

    /// <summary>Exit code of <c>compare</c> when a mode did not reproduce greedy's tokens (an exactness failure).</summary>
    public const int NotIdentical = 3;

    /// <summary>Exit code of <c>calibrate</c> when other load on the machine disturbed the measurement (nothing is stored).</summary>
    public const int Disturbed = 4;

    /// <summary>Exit code when the command line itself is malformed.</summary>
    public const int UsageError = 2;

    /// <summary>Exit code when the run was cancelled (Ctrl+C).</summary>
    public const int Cancelled = 130;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, TextReader? input = null)
    {
        var context = new CliContext(output, error, input);
        // Named as installed (`dotnet tool install` gives the command `lookupdecode`), whatever the assembly is called.
        var root = new Command("lookupdecode", "LookupDecode: lossless lookup speculative decoding for GGUF models (llama.cpp through LLamaSharp).")
        {
            new System.CommandLine.Help.HelpOption(),
            new VersionOption(),
            GenerateCommand.Create(context),
            CompareCommand.Create(context),
            CacheCommand.Create(context),
            ModelCommand.Create(context),
            ChatCommand.Create(context),
            CalibrateCommand.Create(context),
            ReplayCommand.Create(context),
            RecordCommand.Create(context),
        };

        if (args.Length == 0)
        {
            // A bare invocation is a request for usage, not an error.
            args = ["--help"];
        }

        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0 && !IsHelpRequest(args))
        {
            await error.WriteLineAsync($"error: {parseResult.Errors[0].Message}").ConfigureAwait(false);
            return UsageError;
        }

        // Ctrl+C (SIGINT) and SIGTERM cancel the command's token instead of killing the process: every command observes it
        // before each decode, stops within one step, reports what it measured and saves what it must (exit 130).
        var configuration = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null,
        };
        using var interrupt = new LookupDecode.Signals.InterruptSignal();
        try
        {
            return await parseResult.InvokeAsync(configuration, interrupt.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync("cancelled").ConfigureAwait(false);
            return Cancelled;
        }
        catch (LookupDecodeException exception)
        {
            await error.WriteLineAsync($"error: {exception.Message}").ConfigureAwait(false);
            return InputError;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"error: {exception.Message}").ConfigureAwait(false);
            return InputError;
        }
    }

    private static bool IsHelpRequest(string[] args)
        => args.Any(argument => argument is "-h" or "--help" or "-?" or "/?" or "--version");
}
