using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LookupDecode.Tests.Support;
using Xunit.Abstractions;

namespace LookupDecode.Tests.Server;

/// <summary>
/// Past one machine, on loopback: Garnet, two server replicas sharing their memory through it, and a YARP reverse proxy
/// in front. Requests alternate between replicas and the second drafts from what the first wrote; a replica killed
/// mid-stream fails its client, new requests go to the other, and the shared memory stays readable.
/// </summary>
public sealed class ReplicaTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Prompt = "Once upon a time";
    private const int MaxTokens = 200;
    private readonly string _prefix = "test-" + Guid.NewGuid().ToString("N");
    private Garnet? _garnet;
    private ServerProcess? _first;
    private ServerProcess? _second;
    private ServerProcess? _proxy;
    private HttpClient? _http;

    public async Task InitializeAsync()
    {
        if (TestPaths.MissingModelsReason is not null)
        {
            return;
        }

        _garnet = await Garnet.StartAsync();
        string[] replicaArguments =
        [
            "--LookupDecode:SharedMemoryRedis", _garnet.Endpoint, "--LookupDecode:SharedMemoryKeyPrefix", _prefix,
            "--LookupDecode:ChatTemplate", "raw", "--ctx", "1024",
        ];
        var model = TestPaths.Model(TestModelNames.FileOf(TestModelNames.Stories260K));
        _first = await ServerProcess.StartAsync(model, [.. replicaArguments, "--Server:ReplicaName", "first"]);
        _second = await ServerProcess.StartAsync(model, [.. replicaArguments, "--Server:ReplicaName", "second"]);
        _proxy = await ServerProcess.StartProxyAsync(_first.Address, _second.Address);
        _http = new HttpClient { BaseAddress = _proxy.Address, Timeout = TimeSpan.FromMinutes(2) };
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        foreach (var process in new[] { _proxy, _first, _second })
        {
            if (process is not null)
            {
                await process.DisposeAsync();
            }
        }

        if (_garnet is not null)
        {
            await _garnet.DisposeAsync();
        }
    }

    [ModelFact]
    public async Task Replicas_behind_a_proxy_share_memory_through_garnet_and_survive_one_being_killed()
    {
        var http = _http!;

        // 1. Round robin: consecutive requests land on different replicas; the second drafts from the first one's output.
        var cold = await CompleteAsync(http, "story-a");
        var warm = await CompleteAsync(http, "story-a");
        output.WriteLine($"cold ({cold.Replica}): accepted {cold.Accepted} of {cold.Drafted} drafted, {cold.Steps} decode calls for {cold.Tokens} tokens");
        output.WriteLine($"warm ({warm.Replica}): accepted {warm.Accepted} of {warm.Drafted} drafted, {warm.Steps} decode calls for {warm.Tokens} tokens");
        Assert.NotEqual(cold.Replica, warm.Replica);
        Assert.Equal(cold.Text, warm.Text);
        Assert.True(warm.Accepted >= MaxTokens * 3 / 4, $"the second replica accepted only {warm.Accepted} drafted tokens");
        Assert.True(warm.Accepted > 2 * cold.Accepted, $"shared memory did not help: cold {cold.Accepted}, warm {warm.Accepted}");

        // 2. Memory written by one replica, then that replica is killed in the middle of another client's stream.
        var writer = await CompleteAsync(http, "story-b");
        var (stream, streamReplica) = await StartStreamOnAsync(http, writer.Replica);
        var victim = streamReplica == "first" ? _first! : _second!;
        victim.Kill();
        var streamFailed = false;
        try
        {
            var rest = await new StreamReader(stream).ReadToEndAsync();
            streamFailed = !rest.Contains("[DONE]", StringComparison.Ordinal);
        }
        catch (Exception exception) when (exception is IOException or HttpRequestException)
        {
            streamFailed = true;
        }

        Assert.True(streamFailed, "the client of the killed replica saw a complete stream");

        // 3. New requests go to the survivor (once the proxy's health check has seen the death), which drafts from what the
        //    dead replica wrote: the shared memory stays readable.
        await WaitForFailoverAsync(http);
        var survivor = await CompleteAsync(http, "story-b");
        var after = new List<Completion> { survivor };
        for (var i = 0; i < 3; i++)
        {
            after.Add(await CompleteAsync(http, "story-b"));
        }

        output.WriteLine($"after the kill ({survivor.Replica}): accepted {survivor.Accepted} of {survivor.Drafted}");
        Assert.All(after, completion => Assert.NotEqual(streamReplica, completion.Replica));
        Assert.Equal(writer.Text, survivor.Text);
        Assert.True(survivor.Accepted >= MaxTokens * 3 / 4, $"the survivor accepted only {survivor.Accepted} drafted tokens from the shared memory");
    }

    private sealed record Completion(string Replica, string Text, int Tokens, int Drafted, int Accepted, int Steps);

    private static HttpRequestMessage Request(string key, int maxTokens, bool stream) => new(HttpMethod.Post, "/v1/completions")
    {
        Content = new StringContent(
            $$$"""{"model":"stories260K","prompt":"{{{Prompt}}}","max_tokens":{{{maxTokens}}},"stream":{{{(stream ? "true" : "false")}}},"lookupdecode":{"mode":"suffix","cache_key":"{{{key}}}"}}""",
            Encoding.UTF8, "application/json"),
    };

    private static async Task<Completion> CompleteAsync(HttpClient http, string key)
    {
        using var request = Request(key, MaxTokens, stream: false);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        var timings = json.RootElement.GetProperty("timings");
        return new Completion(
            response.Headers.GetValues("LookupDecode-Replica").Single(),
            json.RootElement.GetProperty("choices")[0].GetProperty("text").GetString()!,
            json.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32(),
            timings.GetProperty("draft_n").GetInt32(),
            timings.GetProperty("draft_n_accepted").GetInt32(),
            timings.GetProperty("decode_calls").GetInt32());
    }

    /// <summary>Starts long streams until one lands on <paramref name="replica"/>; returns it with its first bytes read.</summary>
    private static async Task<(Stream Stream, string Replica)> StartStreamOnAsync(HttpClient http, string replica)
    {
        for (var attempt = 0; attempt < 6; attempt++)
        {
            var request = Request("story-long", 900, stream: true);
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var served = response.Headers.GetValues("LookupDecode-Replica").Single();
            if (served == replica)
            {
                var stream = await response.Content.ReadAsStreamAsync();
                Assert.True(await stream.ReadAsync(new byte[16]) > 0);
                return (stream, served);
            }

            response.Dispose();
        }

        throw new InvalidOperationException($"no stream landed on {replica}");
    }

    /// <summary>Waits until the proxy routes every request to a live replica: four small requests in a row succeed.</summary>
    private static async Task WaitForFailoverAsync(HttpClient http)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var inARow = 0;
        while (inARow < 4)
        {
            Assert.True(DateTime.UtcNow < deadline, "the proxy kept routing to the killed replica");
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
                {
                    Content = new StringContent("""{"model":"stories260K","prompt":"Hi","max_tokens":1,"lookupdecode":{"mode":"greedy"}}""", Encoding.UTF8, "application/json"),
                };
                using var response = await http.SendAsync(request);
                inARow = response.StatusCode == HttpStatusCode.OK ? inARow + 1 : 0;
            }
            catch (HttpRequestException)
            {
                inARow = 0;
            }

            if (inARow == 0)
            {
                await Task.Delay(100);
            }
        }
    }
}
