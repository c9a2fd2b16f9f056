using System.Diagnostics;
using LookupDecode.Drafting;

namespace LookupDecode.Ngrams;

/// <summary>Figures of a drafting simulation, named as <c>llama-lookup-stats</c> prints them.</summary>
/// <param name="Predicted">Tokens simulated (<c>n_predict</c>): whole chunks only.</param>
/// <param name="Drafted">Draft tokens proposed (<c>n_drafted</c>).</param>
/// <param name="Accepted">Draft tokens that matched the text (<c>n_accept</c>).</param>
/// <param name="DraftTime">Time spent drafting and updating caches (<c>t_draft</c>).</param>
public sealed record LookupSimulationResult(int Predicted, int Drafted, int Accepted, TimeSpan DraftTime)
{
    /// <summary>100 × accepted / drafted (0 when nothing was drafted).</summary>
    public double AcceptPercent => Drafted > 0 ? 100.0 * Accepted / Drafted : 0;
}

/// <summary>
/// Drafting measured on a known text without running the model (upstream <c>llama-lookup-stats</c>): the tokens are
/// cut into chunks of <c>chunkSize</c>; each chunk is "generated" from its first token, drafting with the lookup
/// drafter and accepting drafts while they match the text, then taking the text's next token as the model would.
/// After each chunk its context cache is merged into a dynamic cache that later chunks draft from (strict thresholds).
/// </summary>
public static class LookupSimulation
{
    /// <summary>Runs the simulation over <paramref name="tokens"/>.</summary>
    /// <param name="tokens">The text's tokens.</param>
    /// <param name="chunkSize">Tokens per chunk (upstream's context size, <c>-c</c>); a final partial chunk is skipped, as upstream.</param>
    /// <param name="draftLength">Most tokens per draft (<c>--spec-draft-n-max</c>).</param>
    /// <param name="staticCache">Optional static cache (<c>-lcs</c>).</param>
    /// <param name="dynamicCache">Optional starting dynamic cache (<c>-lcd</c>); updated in place.</param>
    public static LookupSimulationResult Run(ReadOnlySpan<int> tokens, int chunkSize, int draftLength, NgramCache? staticCache = null, NgramCache? dynamicCache = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(draftLength, 1);
        var drafter = new NgramCacheDrafter(staticCache, dynamicCache ?? new NgramCache());
        var output = new int[chunkSize];
        var draft = new int[draftLength];
        int drafted = 0, accepted = 0, predicted = 0;
        long ticks = 0;
        for (var start = 0; start + chunkSize < tokens.Length; start += chunkSize)
        {
            var chunk = tokens.Slice(start, chunkSize);
            var length = 0;
            output[length++] = chunk[0];
            var began = Stopwatch.GetTimestamp();
            drafter.Begin(output.AsSpan(0, length));
            ticks += Stopwatch.GetTimestamp() - began;
            while (length < chunkSize)
            {
                var timer = Stopwatch.GetTimestamp();
                var count = drafter.Propose(output.AsSpan(0, length), draft);
                ticks += Stopwatch.GetTimestamp() - timer;
                drafted += count;
                for (var j = 0; j < count && length < chunkSize && draft[j] == chunk[length]; j++)
                {
                    accepted++;
                    length = Append(drafter, output, length, chunk[length], ref ticks);
                }

                if (length < chunkSize)
                {
                    length = Append(drafter, output, length, chunk[length], ref ticks);
                }
            }

            var ending = Stopwatch.GetTimestamp();
            drafter.End(output.AsSpan(0, length));
            ticks += Stopwatch.GetTimestamp() - ending;
            predicted += chunkSize;
        }

        return new LookupSimulationResult(predicted, drafted, accepted, Stopwatch.GetElapsedTime(0, ticks));
    }

    private static int Append(NgramCacheDrafter drafter, int[] output, int length, int token, ref long ticks)
    {
        output[length++] = token;
        var timer = Stopwatch.GetTimestamp();
        drafter.Observe(output.AsSpan(0, length));
        ticks += Stopwatch.GetTimestamp() - timer;
        return length;
    }
}
