using LookupDecode.Native;
using Microsoft.Extensions.Logging;

namespace LookupDecode.Cli;

/// <summary>Where a command writes, and how it logs. Commands get it instead of touching <see cref="Console"/>.</summary>
internal sealed class CliContext(TextWriter output, TextWriter error, TextReader? input = null)
{
    public TextReader Input { get; } = input ?? Console.In;

    public TextWriter Output { get; } = output;

    public TextWriter Error { get; } = error;

    /// <summary>
    /// A logger factory writing to stderr. Quiet by default (warnings from LookupDecode, nothing from
    /// llama.cpp); <paramref name="verbose"/> shows everything, llama.cpp's own log included.
    /// </summary>
    public ILoggerFactory CreateLoggerFactory(bool verbose)
    {
        var factory = LoggerFactory.Create(builder =>
        {
            builder.AddSimpleConsole(options =>
            {
                options.SingleLine = true;
                options.TimestampFormat = "HH:mm:ss.fff ";
            });
            builder.AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
            builder.SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Warning);
            builder.AddFilter(LlamaRuntime.NativeLogCategory, verbose ? LogLevel.Debug : LogLevel.None);
        });
        LlamaRuntime.UseLogger(factory.CreateLogger(LlamaRuntime.NativeLogCategory));
        return factory;
    }
}
