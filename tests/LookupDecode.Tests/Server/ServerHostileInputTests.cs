using System.Net;
using System.Text;
using System.Text.Json;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Server;

/// <summary>
/// Bad input never costs a 500 or the process: text the vocabulary cannot encode (TinyStories-656K has no byte
/// fallback, and llama.cpp's tokenizer would abort on it), and a seeded stream of mangled request bodies.
/// </summary>
public sealed class ServerHostileInputTests(TinyStoriesServerFixture server) : IClassFixture<TinyStoriesServerFixture>, IDisposable
{
    private const string ModelId = "TinyStories-656K-Q8_0";
    private readonly HttpClient _http = new() { BaseAddress = server.Address, Timeout = TimeSpan.FromMinutes(2) };

    public void Dispose() => _http.Dispose();

    [ModelTheory]
    [InlineData("/v1/completions", """{"model":"TinyStories-656K-Q8_0","prompt":"Once upon a time 中文"}""", "prompt")]
    [InlineData("/v1/chat/completions", """{"model":"TinyStories-656K-Q8_0","messages":[{"role":"user","content":"Hi 🙂"}]}""", "messages")]
    public async Task Text_the_vocabulary_cannot_encode_gets_400_and_the_server_lives_on(string path, string body, string field)
    {
        using var refused = await PostAsync(path, body);
        using var served = await PostAsync("/v1/completions", """{"model":"TinyStories-656K-Q8_0","prompt":"Once upon a time","max_tokens":4}""");

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        using var error = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        Assert.Equal("unsupported_text", error.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(field, error.RootElement.GetProperty("error").GetProperty("param").GetString());
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [ModelFact]
    public async Task Mangled_request_bodies_never_get_a_5xx()
    {
        var random = new Random(20261125);
        const string valid = """{"model":"TinyStories-656K-Q8_0","messages":[{"role":"user","content":"Once upon a time"}],"max_tokens":4,"temperature":0,"stop":["."],"stream":false,"lookupdecode":{"mode":"auto"}}""";
        string[] fields = ["model", "messages", "max_tokens", "max_completion_tokens", "temperature", "top_p", "top_k", "seed", "stop", "stream", "stream_options", "n", "lookupdecode", "prompt", "logit_bias", "response_format"];
        string[] values = ["null", "-1", "0", "1e309", "9223372036854775808", "-2147483649", "2147483647", "\"\"", "\"x\"", "[]", "[[]]", "{}", "true", "[1,2,3]", "[-5]", "{\"mode\":null}", "{\"mode\":\"suffix-d256\"}", "{\"draft_length\":-3}", "{\"cache_key\":\"\"}", "[{\"role\":\"user\"}]", "[{\"content\":[]}]", new string('[', 200) + new string(']', 200), "\"\\ud800\"", "\"中\""];
        var failures = new List<string>();
        for (var round = 0; round < 240; round++)
        {
            var body = (round % 3) switch
            {
                0 => ReplaceField(valid, fields[random.Next(fields.Length)], values[random.Next(values.Length)]),
                1 => valid[..random.Next(valid.Length)],
                _ => FlipBytes(valid, random),
            };
            var path = random.Next(2) == 0 ? "/v1/chat/completions" : "/v1/completions";
            using var response = await PostAsync(path, body);
            if ((int)response.StatusCode >= 500)
            {
                failures.Add($"{(int)response.StatusCode} {path} {body}");
            }
        }

        using var health = await _http.GetAsync(new Uri("/health", UriKind.Relative));
        Assert.Empty(failures);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [ModelTheory]
    [InlineData("FFFFFFFFFFFFFFFFFFFF")]
    [InlineData("80000000")]
    [InlineData("7FFFFFFF")]
    [InlineData("zz")]
    [InlineData("-1")]
    [InlineData("")]
    [InlineData("3;ext=\"unterminated")]
    public async Task A_chunked_body_with_a_bad_chunk_size_gets_a_4xx_and_the_server_lives_on(string chunkSize)
    {
        using var socket = new System.Net.Sockets.TcpClient();
        await socket.ConnectAsync(server.Address.Host, server.Address.Port);
        var stream = socket.GetStream();
        var head = $"POST /v1/completions HTTP/1.1\r\nHost: {server.Address.Authority}\r\nAuthorization: Bearer {ServerFixtureBase.ApiKey}\r\n"
            + $"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{chunkSize}\r\n{{\"model\":\r\n0\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var statusLine = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.NotNull(statusLine);
        var status = int.Parse(statusLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(status, 400, 499);
        using var served = await PostAsync("/v1/completions", """{"model":"TinyStories-656K-Q8_0","prompt":"Once upon a time","max_tokens":4}""");
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    private static string ReplaceField(string json, string field, string value)
    {
        using var document = JsonDocument.Parse(json);
        var parts = document.RootElement.EnumerateObject().Where(property => property.Name != field).Select(property => $"\"{property.Name}\":{property.Value.GetRawText()}").ToList();
        parts.Add($"\"{field}\":{value}");
        return "{" + string.Join(",", parts) + "}";
    }

    private static string FlipBytes(string json, Random random)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        for (var flips = random.Next(1, 4); flips > 0; flips--)
        {
            bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
        }

        return Encoding.UTF8.GetString(bytes);
    }

    private async Task<HttpResponseMessage> PostAsync(string path, string body)
    {
        using var request = ServerHttp.Request(HttpMethod.Post, path, body);
        return await _http.SendAsync(request);
    }
}
