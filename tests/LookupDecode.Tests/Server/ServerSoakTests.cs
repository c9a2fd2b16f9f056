using System.Net;
using System.Text;
using System.Text.Json;
using LookupDecode.Tests.Support;
using Xunit.Abstractions;

namespace LookupDecode.Tests.Server;

/// <summary>
/// An HTTP soak on loopback, bounded in count and time: concurrent streaming clients over mixed drafting presets, a
/// third of them hanging up mid-stream. Nothing is lost, every completed reply equals its prompt's solo output, the
/// server's memory stays flat between two equal rounds, and every session comes back.
/// </summary>
public sealed class ServerSoakTests(SoakServerFixture server, ITestOutputHelper output) : IClassFixture<SoakServerFixture>
{
    private static readonly string[] Prompts =
    [
        "Once upon a time", "Tom had a small dog named Max.", "Lily liked to play in the park.", "The sun was hot and",
        "One day, a bird", "Sue and Ben went to the sea.",
    ];

    private static readonly string[] Modes = ["auto", "suffix", "lookup", "greedy", "pld", "auto-d4"];

    [ModelFact]
    public async Task Concurrent_streams_with_random_disconnects_lose_nothing_match_solo_output_and_return_every_session()
    {
        using var http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromMinutes(2) };
        var solo = new Dictionary<string, string>();
        foreach (var prompt in Prompts)
        {
            solo[prompt] = await SoloAsync(http, prompt);
        }

        var random = new Random(17);
        var first = await RoundAsync(http, solo, random, requests: 48, clients: 6);
        var memoryAfterFirst = ResidentMegabytes(server.Server.ProcessId);
        var second = await RoundAsync(http, solo, random, requests: 48, clients: 6);
        var memoryAfterSecond = ResidentMegabytes(server.Server.ProcessId);
        await ServerHttp.WaitUntilIdleAsync(http);

        output.WriteLine($"round 1: {first.Completed} completed, {first.Disconnected} disconnected; round 2: {second.Completed} completed, {second.Disconnected} disconnected");
        output.WriteLine($"resident memory: {memoryAfterFirst:F0} MB after round 1, {memoryAfterSecond:F0} MB after round 2");
        Assert.Empty(first.Failures.Concat(second.Failures));
        Assert.Equal(96, first.Completed + first.Disconnected + second.Completed + second.Disconnected);
        Assert.True(first.Disconnected > 0 && second.Completed > 0);
        Assert.True(memoryAfterSecond - memoryAfterFirst < 48, $"memory grew from {memoryAfterFirst:F0} MB to {memoryAfterSecond:F0} MB over an equal round");
    }

    private sealed record Round(int Completed, int Disconnected, List<string> Failures);

    private static async Task<Round> RoundAsync(HttpClient http, Dictionary<string, string> solo, Random random, int requests, int clients)
    {
        var plan = Enumerable.Range(0, requests)
            .Select(_ => (Prompt: Prompts[random.Next(Prompts.Length)], Mode: Modes[random.Next(Modes.Length)], HangUpAfter: random.Next(3) == 0 ? random.Next(1, 20) : -1))
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
                var (prompt, mode, hangUpAfter) = plan[index];
                try
                {
                    var text = await StreamAsync(http, prompt, mode, hangUpAfter);
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
    private static async Task<string?> StreamAsync(HttpClient http, string prompt, string mode, int hangUpAfter)
    {
        using var request = ServerHttp.Request(HttpMethod.Post, "/v1/completions", $$$"""{"model":"stories260K","prompt":"{{{prompt}}}","max_tokens":96,"stream":true,"lookupdecode":{"mode":"{{{mode}}}"}}""");
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

    private static async Task<string> SoloAsync(HttpClient http, string prompt)
    {
        using var request = ServerHttp.Request(HttpMethod.Post, "/v1/completions", $$$"""{"model":"stories260K","prompt":"{{{prompt}}}","max_tokens":96,"lookupdecode":{"mode":"greedy"}}""");
        using var response = await http.SendAsync(request);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("choices")[0].GetProperty("text").GetString()!;
    }

    private static double ResidentMegabytes(int processId)
    {
        var line = File.ReadLines($"/proc/{processId}/status").First(text => text.StartsWith("VmRSS:", StringComparison.Ordinal));
        return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024;
    }
}
