using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace LookupDecode.Benchmarks.EndToEnd;

/// <summary>
/// Runs upstream llama.cpp's <c>llama-lookup</c> (or, with a draft model, <c>llama-speculative</c>) on the same model,
/// prompt and settings and parses its statistics (both print the same lines).
/// The log goes to a file (<c>--log-file</c>): upstream can otherwise exit before flushing short runs' output.
/// </summary>
internal static partial class UpstreamLookup
{
    public sealed record Result(double TokensPerSecond, int Predicted, int Drafted, int Accepted);

    public static Result Run(string tool, string model, string promptFile, int maxTokens, int draft, int threads, int contextSize, bool quantizedKvCache, string? draftModel = null)
    {
        var log = Path.Combine(Path.GetTempPath(), $"llama-lookup-{Guid.NewGuid():N}.log");
        try
        {
            var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[]
                     {
                         "-m", model, "-f", promptFile, "-n", maxTokens.ToString(CultureInfo.InvariantCulture),
                         "--spec-draft-n-max", draft.ToString(CultureInfo.InvariantCulture), "--temp", "0",
                         "-t", threads.ToString(CultureInfo.InvariantCulture), "-c", contextSize.ToString(CultureInfo.InvariantCulture),
                         "--log-file", log,
                     })
            {
                start.ArgumentList.Add(argument);
            }

            if (draftModel is not null)
            {
                // llama-speculative: the same drafter pair as ours.
                start.ArgumentList.Add("-md");
                start.ArgumentList.Add(draftModel);
            }

            if (quantizedKvCache)
            {
                // The same KV cache as ours (Q8_0, flash attention), so both engines run the same arithmetic.
                foreach (var argument in new[] { "-ctk", "q8_0", "-ctv", "q8_0", "-fa", "on" })
                {
                    start.ArgumentList.Add(argument);
                }
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {tool}");
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            var text = (File.Exists(log) ? File.ReadAllText(log) : "") + stdout + stderr.Result;
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{tool} exited with {process.ExitCode}: {text[^Math.Min(text.Length, 400)..]}");
            }

            return Parse(text);
        }
        finally
        {
            File.Delete(log);
        }
    }

    internal static Result Parse(string output)
    {
        var decoded = DecodedLine().Match(output);
        if (!decoded.Success)
        {
            throw new InvalidOperationException("the upstream tool printed no 'decoded … tokens … speed' line");
        }

        return new Result(
            double.Parse(decoded.Groups["speed"].Value, CultureInfo.InvariantCulture),
            Field(output, "n_predict"),
            Field(output, "n_drafted"),
            Field(output, "n_accept"));
    }

    private static int Field(string output, string name)
    {
        var match = Regex.Match(output, $@"{name}\s*=\s*(\d+)");
        return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    [GeneratedRegex(@"decoded\s+(?<tokens>\d+)\s+tokens in\s+(?<seconds>[\d.]+)\s+seconds, speed:\s+(?<speed>[\d.]+) t/s")]
    private static partial Regex DecodedLine();
}
