using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace LookupDecode.Tests.Server;

/// <summary>What the server tests send and wait for: requests carrying the fixtures' API key, and an idle server.</summary>
internal static class ServerHttp
{
    /// <summary>A request with <c>Authorization: Bearer</c> the fixtures' key and, when given, a JSON body.</summary>
    public static HttpRequestMessage Request(HttpMethod method, string path, string? body)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ServerFixtureBase.ApiKey);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return request;
    }

    /// <summary>Polls <c>/health</c> (for at most a minute) until no session is in use and nobody waits.</summary>
    public static async Task WaitUntilIdleAsync(HttpClient http)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            using var health = JsonDocument.Parse(await http.GetStringAsync(new Uri("/health", UriKind.Relative)));
            if (health.RootElement.GetProperty("sessions_in_use").GetInt32() == 0 && health.RootElement.GetProperty("waiting").GetInt32() == 0)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"sessions did not come back: {health.RootElement.GetRawText()}");
            await Task.Delay(50);
        }
    }
}
