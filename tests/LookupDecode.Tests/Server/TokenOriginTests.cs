using System.Net.Http.Json;
using System.Text.Json;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Server;

/// <summary>
/// The <c>"lookupdecode"</c> extension field on streamed chunks, the chat page's source: every content chunk says
/// whether its token was accepted from a draft and from which drafter, and the drafted ones are exactly
/// <c>timings.draft_n_accepted</c>.
/// </summary>
public sealed class TokenOriginTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [ModelFact]
    public async Task Every_streamed_token_says_how_it_came_and_the_drafted_ones_are_the_accepted_count()
    {
        using var http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", ServerFixtureBase.ApiKey);
        var body = new { model = ServerFixture.ModelId, messages = new[] { new { role = "user", content = "Once upon a time" } }, max_tokens = 48, stream = true, lookupdecode = new { mode = "suffix" } };
        await StreamAsync(http, body); // the suffix memory learns the reply, so the second run copies it
        var (origins, timings) = await StreamAsync(http, body);

        Assert.Equal(48, origins.Count);
        var drafted = origins.Where(o => o.GetProperty("drafted").GetBoolean()).ToList();
        Assert.NotEmpty(drafted);
        Assert.Equal(timings.GetProperty("draft_n_accepted").GetInt32(), drafted.Count);
        Assert.All(drafted, o => Assert.Equal("suffix", o.GetProperty("drafter").GetString()));
        Assert.All(origins.Except(drafted), o => Assert.False(o.TryGetProperty("drafter", out _)));
    }

    private static async Task<(List<JsonElement> Origins, JsonElement Timings)> StreamAsync(HttpClient http, object body)
    {
        using var response = await http.PostAsJsonAsync("/v1/chat/completions", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        var origins = new List<JsonElement>();
        JsonElement? timings = null;
        foreach (var line in text.Split('\n').Where(l => l.StartsWith("data: {", StringComparison.Ordinal)))
        {
            using var chunk = JsonDocument.Parse(line["data: ".Length..]);
            var root = chunk.RootElement;
            if (root.TryGetProperty("timings", out var t))
            {
                timings = t.Clone();
            }

            var content = root.GetProperty("choices").EnumerateArray().Select(c => c.GetProperty("delta")).FirstOrDefault(d => d.TryGetProperty("content", out var c) && c.GetString() is { Length: > 0 });
            if (content.ValueKind == JsonValueKind.Object)
            {
                Assert.True(root.TryGetProperty("lookupdecode", out var origin), line);
                origins.Add(origin.Clone());
            }
        }

        return (origins, timings ?? throw new InvalidOperationException("no timings in the stream"));
    }
}
