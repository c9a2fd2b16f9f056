using Microsoft.Extensions.Options;

namespace LookupDecode.Server;

/// <summary>
/// What the server prints when it cannot start or stop cleanly: one line on stderr per problem (a missing model, a
/// damaged memory file, an invalid option, a port in use), never a stack trace, and a non-zero exit code.
/// </summary>
internal static class StartupFailure
{
    /// <summary>The exit code of a server that could not start or stop cleanly.</summary>
    public const int ExitCode = 1;

    /// <summary>Runs the server until it stops; a failure becomes one line per problem on <paramref name="error"/> and <see cref="ExitCode"/>.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter error)
    {
        try
        {
            await ServerApp.Build(args).RunAsync().ConfigureAwait(false);
            return 0;
        }
        catch (OperationCanceledException)
        {
            return 0; // stopped while starting (Ctrl+C)
        }
        catch (Exception exception)
        {
            foreach (var line in Describe(exception))
            {
                await error.WriteLineAsync($"lookupdecode-server: error: {line}").ConfigureAwait(false);
            }

            return ExitCode;
        }
    }

    /// <summary>One line per problem in <paramref name="exception"/>: every option failure, every inner error of an aggregate.</summary>
    internal static IEnumerable<string> Describe(Exception exception)
    {
        switch (exception)
        {
            case OptionsValidationException validation:
                foreach (var failure in validation.Failures)
                {
                    yield return OneLine(failure);
                }

                yield break;
            case AggregateException aggregate:
                foreach (var inner in aggregate.Flatten().InnerExceptions)
                {
                    foreach (var line in Describe(inner))
                    {
                        yield return line;
                    }
                }

                yield break;
            case LookupDecodeException or IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException or FormatException:
                yield return OneLine(exception.Message);
                yield break;
            default:
                // Not an error the server expects: its type helps a bug report, its stack trace would bury the message.
                yield return OneLine($"{exception.GetType().Name}: {exception.Message}");
                yield break;
        }
    }

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
