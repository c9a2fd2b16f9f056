using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LookupDecode.Benchmarks.Serve;

/// <summary>
/// Drives a server as its users would: <c>clients</c> concurrent clients, each sending the next of <c>requests</c> streamed
/// greedy completions (<c>/v1/completions</c>, prompts in turn) as soon as its last one ended; every streamed chunk is
/// timed. Both servers stream one chunk per token.
/// </summary>
internal static class StreamingLoad
{
    /// <summary>One request's outcome: its text, chunks (tokens), time to first token and the gaps between tokens.</summary>
    public sealed record Reply(int Prompt, string Text, int Tokens, double FirstTokenSeconds, double[] GapsSeconds, string? Error);

    /// <summary>One load run: every reply and the wall time from the first request sent to the last reply ended.</summary>
    public sealed record Outcome(IReadOnlyList<Reply> Replies, double Seconds);

    public static async Task<Outcome> RunAsync(Uri server, string model, IReadOnlyList<string> prompts, int requests, int clients, int maxTokens, TimeSpan requestTimeout)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = Math.Max(clients, 1) * 2, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        using var http = new HttpClient(handler) { BaseAddress = server, Timeout = requestTimeout };
        var next = -1;
        var replies = new Reply[requests];
        var started = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, clients).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) is var index && index < requests)
            {
                replies[index] = await OneAsync(http, model, index % prompts.Count, prompts[index % prompts.Count], maxTokens).ConfigureAwait(false);
            }
        });
        await Task.WhenAll(workers).ConfigureAwait(false);
        return new Outcome(replies, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    private static async Task<Reply> OneAsync(HttpClient http, string model, int promptIndex, string prompt, int maxTokens)
    {
        var body = new JsonObject
        {
            ["model"] = model,
            ["prompt"] = prompt,
            ["max_tokens"] = maxTokens,
            ["temperature"] = 0,
            ["stream"] = true,
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/completions")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        // A connection per request: llama-server closes kept-alive connections that a pool would reuse (seen as failed sends).
        request.Headers.ConnectionClose = true;
        var sent = Stopwatch.GetTimestamp();
        var text = new StringBuilder();
        var gaps = new List<double>();
        var first = double.NaN;
        var last = 0L;
        var tokens = 0;
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var problem = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                return new Reply(promptIndex, "", 0, double.NaN, [], $"HTTP {(int)response.StatusCode}: {problem[..Math.Min(problem.Length, 300)]}");
            }

            using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                if (!line.StartsWith("data: ", StringComparison.Ordinal) || line == "data: [DONE]")
                {
                    continue;
                }

                var piece = PieceOf(line["data: ".Length..]);
                if (piece is null)
                {
                    continue;
                }

                var now = Stopwatch.GetTimestamp();
                if (tokens == 0)
                {
                    first = Stopwatch.GetElapsedTime(sent, now).TotalSeconds;
                }
                else
                {
                    gaps.Add(Stopwatch.GetElapsedTime(last, now).TotalSeconds);
                }

                last = now;
                tokens++;
                text.Append(piece);
            }

            return new Reply(promptIndex, text.ToString(), tokens, first, [.. gaps], null);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or IOException)
        {
            return new Reply(promptIndex, text.ToString(), tokens, first, [.. gaps], $"{exception.GetType().Name}: {exception.Message}");
        }
    }

    /// <summary>The text of a streamed completion chunk, or null when it carries none (a final usage or stop chunk).</summary>
    private static string? PieceOf(string json)
    {
        using var document = JsonDocument.Parse(json);
        if (!document.RootElement.TryGetProperty("choices", out var choices) || choices.GetArrayLength() == 0)
        {
            return null;
        }

        var choice = choices[0];
        return choice.TryGetProperty("text", out var text) && text.GetString() is { Length: > 0 } piece ? piece : null;
    }
}
