namespace LookupDecode.Text;

/// <summary>
/// Watches streamed text for stop sequences. Text is released as soon as it cannot be the start of a stop sequence;
/// a piece that might be is held back until the next piece decides. When a stop sequence completes, the text before it
/// is released and everything from it on is dropped, so a reader never sees any part of a stop sequence.
/// </summary>
public sealed class StopSequenceFilter
{
    private readonly string[] _stops;
    private string _held = "";

    /// <summary>Creates a filter for <paramref name="stopSequences"/> (empty strings are ignored).</summary>
    public StopSequenceFilter(IEnumerable<string> stopSequences)
    {
        ArgumentNullException.ThrowIfNull(stopSequences);
        _stops = stopSequences.Where(stop => !string.IsNullOrEmpty(stop)).Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>True once a stop sequence has been seen; later text is ignored.</summary>
    public bool Stopped { get; private set; }

    /// <summary>Adds <paramref name="text"/>; returns the text that is now safe to release.</summary>
    public string Push(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Stopped)
        {
            return "";
        }

        var buffer = _held + text;
        var earliest = -1;
        foreach (var stop in _stops)
        {
            var index = buffer.IndexOf(stop, StringComparison.Ordinal);
            if (index >= 0 && (earliest < 0 || index < earliest))
            {
                earliest = index;
            }
        }

        if (earliest >= 0)
        {
            Stopped = true;
            _held = "";
            return buffer[..earliest];
        }

        var keep = LongestSuffixThatStartsAStop(buffer);
        _held = buffer[^keep..];
        return buffer[..^keep];
    }

    /// <summary>Releases text still held back (call once the stream has ended without a stop).</summary>
    public string Flush()
    {
        var rest = Stopped ? "" : _held;
        _held = "";
        return rest;
    }

    private int LongestSuffixThatStartsAStop(string buffer)
    {
        var longest = 0;
        foreach (var stop in _stops)
        {
            for (var length = Math.Min(stop.Length - 1, buffer.Length); length > longest; length--)
            {
                if (buffer.AsSpan(buffer.Length - length).SequenceEqual(stop.AsSpan(0, length)))
                {
                    longest = length;
                    break;
                }
            }
        }

        return longest;
    }
}
