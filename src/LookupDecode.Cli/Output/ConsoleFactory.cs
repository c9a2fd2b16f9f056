using Spectre.Console;

namespace LookupDecode.Cli.Output;

/// <summary>Spectre.Console renderers bound to the command's writers (tables to stdout, progress to stderr).</summary>
internal static class ConsoleFactory
{
    public static IAnsiConsole For(TextWriter writer)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Interactive = InteractionSupport.No,
        });
        if (writer != Console.Out || Console.IsOutputRedirected)
        {
            // Not a terminal (a file, a pipe, a test): tables get room instead of the 80-column default.
            console.Profile.Width = 160;
        }

        return console;
    }

    /// <summary>Runs <paramref name="work"/> under a progress bar on stderr (plain text when stderr is not a terminal).</summary>
    public static T WithProgress<T>(TextWriter error, string description, Func<Action<double>, T> work)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(error) });
        if (!console.Profile.Capabilities.Interactive || Console.IsErrorRedirected)
        {
            var lastPercent = -10;
            return work(fraction =>
            {
                var percent = double.IsNaN(fraction) ? lastPercent : (int)(fraction * 100);
                if (percent >= lastPercent + 10 || percent == 100 && lastPercent != 100)
                {
                    lastPercent = percent;
                    error.WriteLine($"{description}: {percent}%");
                }
            });
        }

        T result = default!;
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .Start(progress =>
            {
                var task = progress.AddTask(description, maxValue: 1.0);
                result = work(fraction =>
                {
                    if (double.IsNaN(fraction))
                    {
                        task.IsIndeterminate = true;
                    }
                    else
                    {
                        task.IsIndeterminate = false;
                        task.Value = fraction;
                    }
                });
                task.Value = 1.0;
            });
        return result;
    }
}
