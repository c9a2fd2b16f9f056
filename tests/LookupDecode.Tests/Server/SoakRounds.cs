using System.Net;
using System.Text;
using System.Text.Json;

namespace LookupDecode.Tests.Server;

/// <summary>The soaks' clients: rounds of concurrent streamed completions over mixed presets, some hanging up mid-stream.</summary>
internal static class SoakRounds
{
    public static readonly string[] Prompts =
    [
        "Once upon a time", "Tom had a small dog named Max.", "Lily liked to play in the park.", "The sun was hot and",
        "One day, a bird", "Sue and Ben went to the sea.",
    ];

    private static readonly string[] Modes = ["auto", "suffix", "lookup", "greedy", "pld", "auto-d4"];

    public sealed record Round(int Completed, int Disconnected, List<string> Failures);

    /// <summary>Runs <paramref name="requests"/> streamed completions from <paramref name="clients"/> clients; a third hang up mid-stream.</summary>
    /// <param name="cacheKeys">When given, each request names one of these as its cache key (its dynamic cache and shared memory).</param>
    public static async Task<Round> RoundAsync(HttpClient http, Dictionary<string, string> solo, Random random, int requests, int clients, string[]? cacheKeys = null)
    {
        var plan = Enumerable.Range(0, requests)
            .Select(_ => (Prompt: Prompts[random.Next(Prompts.Length)], Mode: Modes[random.Next(Modes.Length)], HangUpAfter: random.Next(3) == 0 ? random.Next(1, 20) : -1,
                CacheKey: cacheKeys is null ? null : cacheKeys[random.Next(cacheKeys.Length)]))
            .ToList();
        var next = -1;
        var completed = 0;
        var disconnected = 0;
        var failures = new List<string>();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < plan.Count)
            {
                var (prompt, mode, hangUpAfter, cacheKey) = plan[index];
                try
                {
                    var text = await StreamAsync(http, prompt, mode, hangUpAfter, cacheKey);
                    if (text is null)
                    {
                        Interlocked.Increment(ref disconnected);
                    }
                    else if (text == solo[prompt])
                    {
                        Interlocked.Increment(ref completed);
                    }
                    else
                    {
                        lock (failures)
                        {
                            failures.Add($"{mode} '{prompt}': '{text}' differs from the solo output '{solo[prompt]}'");
                        }
                    }
                }
                catch (Exception exception) when (exception is HttpRequestException or IOException or InvalidOperationException)
                {
                    lock (failures)
                    {
                        failures.Add($"{mode} '{prompt}': {exception.Message}");
                    }
                }
            }
        }));
        return new Round(completed, disconnected, failures);
    }

    /// <summary>Streams one reply; returns its text, or null when this client hung up on purpose after <paramref name="hangUpAfter"/> events.</summary>
    private static async Task<string?> StreamAsync(HttpClient http, string prompt, string mode, int hangUpAfter, string? cacheKey)
    {
        using var request = ServerHttp.Request(HttpMethod.Post, "/v1/completions", $$$"""{"model":"stories260K","prompt":"{{{prompt}}}","max_tokens":96,"stream":true,"lookupdecode":{"mode":"{{{mode}}}"{{{(cacheKey is null ? "" : $",\"cache_key\":\"{cacheKey}\"")}}}}}""");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"status {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var text = new StringBuilder();
        var events = 0;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal))
            {
                continue;
            }

            if (line == "data: [DONE]")
            {
                return text.ToString();
            }

            if (++events == hangUpAfter)
            {
                return null; // disposing the response closes the connection mid-stream
            }

            using var chunk = JsonDocument.Parse(line["data: ".Length..]);
            if (chunk.RootElement.TryGetProperty("error", out var error))
            {
                throw new InvalidOperationException(error.GetRawText());
            }

            text.Append(chunk.RootElement.GetProperty("choices")[0].GetProperty("text").GetString());
        }

        throw new InvalidOperationException("the stream ended without [DONE]");
    }

    /// <summary>The prompt's greedy completion, alone.</summary>
    public static async Task<string> SoloAsync(HttpClient http, string prompt)
    {
        using var request = ServerHttp.Request(HttpMethod.Post, "/v1/completions", $$$"""{"model":"stories260K","prompt":"{{{prompt}}}","max_tokens":96,"lookupdecode":{"mode":"greedy"}}""");
        using var response = await http.SendAsync(request);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("choices")[0].GetProperty("text").GetString()!;
    }

    /// <summary>The process's resident memory (VmRSS).</summary>
    public static double ResidentMegabytes(int processId)
    {
        var line = File.ReadLines($"/proc/{processId}/status").First(text => text.StartsWith("VmRSS:", StringComparison.Ordinal));
        return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024;
    }
}
