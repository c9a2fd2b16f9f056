using System.Text;
using LLama.Native;
using Microsoft.Extensions.Logging;

namespace LookupDecode.Native;

/// <summary>
/// Receives llama.cpp's log callback and forwards whole lines to an <see cref="ILogger"/>. llama.cpp logs in
/// fragments (a line may arrive in several calls, the later ones tagged "continue"), so fragments are
/// joined until a newline. With no logger attached the output is dropped, which keeps llama.cpp quiet
/// (its default is to write everything to stderr).
/// </summary>
internal sealed class NativeLogRouter
{
    private readonly Lock _gate = new();
    private readonly StringBuilder _pending = new();
    private LogLevel _pendingLevel = LogLevel.Debug;
    private ILogger? _logger;

    public ILogger? Logger
    {
        get => _logger;
        set
        {
            lock (_gate)
            {
                _logger = value;
                _pending.Clear();
            }
        }
    }

    public void OnNativeLog(LLamaLogLevel level, string message)
    {
        lock (_gate)
        {
            var logger = _logger;
            if (logger is null)
            {
                return;
            }

            if (level != LLamaLogLevel.Continue)
            {
                _pendingLevel = Map(level);
            }

            _pending.Append(message);
            var text = _pending.ToString();
            var lastNewline = text.LastIndexOf('\n');
            if (lastNewline < 0)
            {
                return;
            }

            _pending.Clear();
            _pending.Append(text, lastNewline + 1, text.Length - lastNewline - 1);
            foreach (var line in text[..lastNewline].Split('\n'))
            {
                if (line.Length > 0 && logger.IsEnabled(_pendingLevel))
                {
#pragma warning disable CA1848, CA2254 // the message is llama.cpp's own text, logged as is
                    logger.Log(_pendingLevel, "{NativeMessage}", line);
#pragma warning restore CA1848, CA2254
                }
            }
        }
    }

    private static LogLevel Map(LLamaLogLevel level) => level switch
    {
        LLamaLogLevel.Error => LogLevel.Error,
        LLamaLogLevel.Warning => LogLevel.Warning,
        LLamaLogLevel.Info => LogLevel.Information,
        _ => LogLevel.Debug,
    };
}
