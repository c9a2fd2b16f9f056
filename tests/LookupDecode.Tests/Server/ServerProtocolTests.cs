using System.Net;
using System.Text;
using System.Text.Json;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Server;

/// <summary>
/// The server's HTTP contract, byte level: OpenAI's error schema and statuses (400, 401, 404, 405, 413, 429), the SSE
/// stream's shape, the drafting extension, stop sequences, client disconnects and metrics.
/// </summary>
public sealed class ServerProtocolTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = server.Address, Timeout = TimeSpan.FromMinutes(2) };

    public void Dispose() => _http.Dispose();

    [ModelFact]
    public async Task Requests_without_the_api_key_get_401_in_OpenAI_error_schema_while_health_stays_open()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        using var response = await _http.SendAsync(request);
        using var upperCase = await _http.PostAsync(new Uri("/V1/Chat/Completions", UriKind.Relative),
            new StringContent("""{"model":"stories260K","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, upperCase.StatusCode);
        using var health = await _http.GetAsync(new Uri("/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var error = await ErrorOf(response);
        Assert.Equal("invalid_api_key", error.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [ModelTheory]
    [InlineData("{", null)]
    [InlineData("[]", null)]
    [InlineData("null", null)]
    [InlineData("""{"model":"stories260K","messages":[{"role":"user","content":"hi"}],"max_tokens":"many"}""", "max_tokens")]
    [InlineData("""{"model":"stories260K","messages":[{"role":"user","content":"hi"}],"n":2}""", "n")]
    [InlineData("""{"model":"stories260K","messages":[{"role":"user","content":"hi"}],"max_tokens":0}""", "max_tokens")]
    [InlineData("""{"model":"stories260K","messages":[{"role":"user","content":"hi"}],"temperature":3}""", "temperature")]
    [InlineData("""{"model":"stories260K","messages":[{"role":"user","content":"hi"}],"presence_penalty":0.5}""", "presence_penalty")]
    [InlineData("""{"model":"stories260K","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function"}]}""", "tools")]
    [InlineData("""{"model":"stories260K","messages":[]}""", "messages")]
    [InlineData("""{"model":"stories260K","messages":[{"role":"wizard","content":"hi"}]}""", "messages[0].role")]
    [InlineData("""{"model":"stories260K","messages":[{"role":"user","content":[{"type":"image_url"}]}]}""", "messages[0].content")]
    [InlineData("""{"model":"stories260K","messages":[{"role":"user","content":"hi"}],"stop":[""]}""", "stop")]
    [InlineData("""{"model":"stories260K","messages":[{"role":"user","content":"hi"}],"lookupdecode":{"mode":"warp"}}""", "lookupdecode.mode")]
    [InlineData("""{"model":"stories260K","messages":[{"role":"user","content":"hi"}],"lookupdecode":{"draft_length":100000}}""", "lookupdecode.draft_length")]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}]}""", "model")]
    [InlineData("""{"model":"stories260K","messages":[{"role":"user","content":"hi"}],"lookupdecode":{"cache_key":""}}""", "lookupdecode.cache_key")]
    [InlineData("""{"model":"stories260K","messages":[{"role":"user","content":"hi"}],"max_completion_tokens":5000}""", "max_completion_tokens")]
    public async Task Bad_chat_requests_get_400_naming_the_field(string body, string? field)
    {
        using var response = await PostAsync("/v1/chat/completions", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await ErrorOf(response);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(field, error.GetProperty("param").GetString());
    }

    [ModelTheory]
    [InlineData("""{"model":"stories260K","prompt":["a","b"]}""", "prompt")]
    [InlineData("""{"model":"stories260K","prompt":[1, 999999]}""", "prompt")]
    [InlineData("""{"model":"stories260K","prompt":[]}""", "prompt")]
    [InlineData("""{"model":"stories260K","prompt":[1.5]}""", "prompt")]
    [InlineData("""{"model":"stories260K"}""", "prompt")]
    [InlineData("""{"model":"stories260K","prompt":"hi","echo":true}""", "echo")]
    [InlineData("""{"model":"stories260K","prompt":"hi","max_tokens":100000}""", "max_tokens")]
    public async Task Bad_completion_requests_get_400_naming_the_field(string body, string field)
    {
        using var response = await PostAsync("/v1/completions", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (await ErrorOf(response)).GetProperty("param").GetString());
    }

    [ModelFact]
    public async Task Unknown_model_gets_404_unknown_route_404_and_wrong_method_405()
    {
        using var model = await PostAsync("/v1/chat/completions", """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""");
        using var route = await PostAsync("/v1/embeddings", """{"model":"stories260K","input":"hi"}""");
        using var method = await SendAsync(HttpMethod.Get, "/v1/chat/completions", null);

        Assert.Equal(HttpStatusCode.NotFound, model.StatusCode);
        Assert.Equal("model_not_found", (await ErrorOf(model)).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.NotFound, route.StatusCode);
        Assert.Equal("unknown_url", (await ErrorOf(route)).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.MethodNotAllowed, method.StatusCode);
        Assert.Equal(["POST"], method.Content.Headers.Allow);
    }

    [ModelFact]
    public async Task An_oversized_body_gets_413()
    {
        var content = new string('a', 5 << 20);
        using var request = ServerHttp.Request(HttpMethod.Post, "/v1/completions", $$"""{"model":"stories260K","prompt":"{{content}}"}""");
        request.Headers.ExpectContinue = true; // as curl sends large bodies: the 413 comes back before the body is sent
        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("request_too_large", (await ErrorOf(response)).GetProperty("code").GetString());
    }

    [ModelFact]
    public async Task A_stream_is_server_sent_events_ending_in_done_with_a_usage_chunk_and_timings()
    {
        using var response = await PostAsync("/v1/chat/completions",
            """{"model":"stories260K","messages":[{"role":"user","content":"Once upon a time"}],"max_tokens":24,"stream":true,"stream_options":{"include_usage":true}}""");
        var body = await response.Content.ReadAsStringAsync();
        var events = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.All(events, line => Assert.StartsWith("data: ", line, StringComparison.Ordinal));
        Assert.Equal("data: [DONE]", events[^1]);
        using var usage = JsonDocument.Parse(events[^2]["data: ".Length..]);
        Assert.Equal(0, usage.RootElement.GetProperty("choices").GetArrayLength());
        Assert.Equal(24, usage.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        using var finish = JsonDocument.Parse(events[^3]["data: ".Length..]);
        Assert.Equal("length", finish.RootElement.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(24, finish.RootElement.GetProperty("timings").GetProperty("predicted_n").GetInt32());
        using var first = JsonDocument.Parse(events[0]["data: ".Length..]);
        Assert.Equal("assistant", first.RootElement.GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
    }

    [ModelFact]
    public async Task The_drafting_extension_chooses_the_preset_and_timings_report_what_it_drafted()
    {
        using var greedy = await PostAsync("/v1/completions", """{"model":"stories260K","prompt":"Once upon a time","max_tokens":64,"lookupdecode":{"mode":"greedy"}}""");
        using var drafted = await PostAsync("/v1/completions", """{"model":"stories260K","prompt":"Once upon a time","max_tokens":64,"lookupdecode":{"mode":"suffix-d8"}}""");
        using var greedyJson = JsonDocument.Parse(await greedy.Content.ReadAsStringAsync());
        using var draftedJson = JsonDocument.Parse(await drafted.Content.ReadAsStringAsync());
        var greedyTimings = greedyJson.RootElement.GetProperty("timings");
        var draftedTimings = draftedJson.RootElement.GetProperty("timings");

        Assert.Equal("greedy", greedyTimings.GetProperty("mode").GetString());
        Assert.Equal(0, greedyTimings.GetProperty("draft_n").GetInt32());
        Assert.Equal("suffix-d8", draftedTimings.GetProperty("mode").GetString());
        Assert.True(draftedTimings.GetProperty("draft_n").GetInt32() > 0);
        Assert.True(draftedTimings.GetProperty("draft_n_accepted").GetInt32() <= draftedTimings.GetProperty("draft_n").GetInt32());
        Assert.Equal(TextOf(greedyJson), TextOf(draftedJson));
    }

    [ModelFact]
    public async Task A_stop_sequence_ends_the_text_before_it_with_finish_reason_stop()
    {
        var full = await CliReference.GreedyTextAsync(TestModelNames.Stories260K, "Once upon a time", 48);
        var stop = full.Substring(20, 6);
        using var whole = await PostAsync("/v1/completions", $$"""{"model":"stories260K","prompt":"Once upon a time","max_tokens":48,"stop":"{{stop}}"}""");
        using var streamed = await PostAsync("/v1/completions", $$"""{"model":"stories260K","prompt":"Once upon a time","max_tokens":48,"stop":["{{stop}}"],"stream":true}""");
        using var json = JsonDocument.Parse(await whole.Content.ReadAsStringAsync());
        var streamedText = string.Concat((await streamed.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Where(line => line != "data: [DONE]")
            .Select(line => JsonDocument.Parse(line["data: ".Length..]).RootElement.GetProperty("choices")[0].GetProperty("text").GetString()));

        Assert.Equal(full[..full.IndexOf(stop, StringComparison.Ordinal)], TextOf(json));
        Assert.Equal("stop", json.RootElement.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(TextOf(json), streamedText);
    }

    [ModelFact]
    public async Task A_full_server_answers_429_with_retry_after_and_a_disconnected_client_frees_its_session()
    {
        // One session and no waiting line (the fixture): a long stream holds the session.
        using var longRequest = ServerHttp.Request(HttpMethod.Post, "/v1/completions",
            """{"model":"stories260K","prompt":"Once upon a time","max_tokens":1900,"stream":true,"lookupdecode":{"mode":"greedy"}}""");
        var longResponse = await _http.SendAsync(longRequest, HttpCompletionOption.ResponseHeadersRead);
        var stream = await longResponse.Content.ReadAsStreamAsync();
        var buffer = new byte[64];
        Assert.True(await stream.ReadAsync(buffer) > 0);

        using var refused = await PostAsync("/v1/completions", """{"model":"stories260K","prompt":"Hello","max_tokens":4}""");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        Assert.Equal("rate_limit_exceeded", (await ErrorOf(refused)).GetProperty("code").GetString());

        // The client goes away mid-stream: its generation stops and the session returns to the pool.
        longResponse.Dispose();
        await ServerHttp.WaitUntilIdleAsync(_http);
        using var next = await PostAsync("/v1/completions", """{"model":"stories260K","prompt":"Hello","max_tokens":4}""");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        var metrics = await _http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("status=\"429\"", metrics, StringComparison.Ordinal);
        Assert.Contains("status=\"499\"", metrics, StringComparison.Ordinal);
    }

    [ModelFact]
    public async Task Metrics_count_requests_tokens_and_drafts_in_prometheus_format()
    {
        using var served = await PostAsync("/v1/completions", """{"model":"stories260K","prompt":"Once upon a time","max_tokens":16}""");
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);

        var metrics = await _http.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Contains("lookupdecode_server_requests_total{", metrics, StringComparison.Ordinal);
        Assert.Contains("endpoint=\"completions\"", metrics, StringComparison.Ordinal);
        Assert.Contains("lookupdecode_server_tokens_output_total", metrics, StringComparison.Ordinal);
        Assert.Contains("lookupdecode_server_draft_drafted_total", metrics, StringComparison.Ordinal);
        Assert.Contains("lookupdecode_server_queue_length", metrics, StringComparison.Ordinal);
        Assert.Contains("lookupdecode_server_time_to_first_token_seconds_bucket", metrics, StringComparison.Ordinal);
    }

    private static string? TextOf(JsonDocument completion) => completion.RootElement.GetProperty("choices")[0].GetProperty("text").GetString();

    private static async Task<JsonElement> ErrorOf(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("error").Clone();
    }

    private Task<HttpResponseMessage> PostAsync(string path, string body) => SendAsync(HttpMethod.Post, path, body);

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? body)
    {
        using var request = ServerHttp.Request(method, path, body);
        return await _http.SendAsync(request);
    }
}
