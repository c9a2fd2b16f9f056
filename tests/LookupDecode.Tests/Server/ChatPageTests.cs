using System.Net.Http.Json;
using System.Text.Json;
using LookupDecode.Tests.Support;
using Microsoft.Playwright;

namespace LookupDecode.Tests.Server;

/// <summary>
/// The chat page (<c>GET /</c>) in a real browser: headless Chromium (Debian's) driven by Playwright against the server
/// on loopback. The page's reply equals the CLI's greedy text, tokens accepted from drafts are marked and counted as the
/// reply's <c>timings</c> say, the greedy run beside it shows identical text, a wrong key is asked again and shown as
/// a 401, and stopping mid-stream frees the sequence. Saves a screenshot to <c>artifacts/page/chat.png</c>.
/// </summary>
public sealed class ChatPageTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string Prompt = "Once upon a time";
    private const int Tokens = 64;

    [BrowserFact]
    public async Task The_page_streams_the_greedy_text_marks_drafted_tokens_compares_with_greedy_and_handles_keys_and_stop()
    {
        var expected = await CliReference.GreedyTextAsync(TestModelNames.Stories260K, Prompt, Tokens);
        using var http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", ServerFixtureBase.ApiKey);
        // The server's suffix memory learns this reply, so the page's suffix run has something to copy.
        using (var warmUp = await http.PostAsJsonAsync("/v1/chat/completions", new { model = ServerFixture.ModelId, messages = new[] { new { role = "user", content = Prompt } }, max_tokens = Tokens, lookupdecode = new { mode = "suffix" } }))
        {
            Assert.True(warmUp.IsSuccessStatusCode, await warmUp.Content.ReadAsStringAsync());
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = BrowserFactAttribute.Chromium, Headless = true, Args = ["--no-sandbox"] });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1000, Height = 1100 } });
        await page.GotoAsync(server.Address.ToString());
        await page.SelectOptionAsync("#mode", "suffix");
        await page.FillAsync("#max-tokens", $"{Tokens}");
        await page.CheckAsync("#compare");

        // No key yet: the 401 asks for one; a wrong one is refused and asked again; the right one goes through.
        await page.FillAsync("#prompt", Prompt);
        await page.PressAsync("#prompt", "Enter");
        await page.Locator("#key-dialog[open]").WaitForAsync();
        await page.FillAsync("#api-key", "wrong-key");
        await page.ClickAsync("#key-form button[value=ok]");
        await page.Locator("#key-reason:has-text('refused')").WaitForAsync();
        await page.FillAsync("#api-key", ServerFixtureBase.ApiKey);
        var reply = page.WaitForResponseAsync(response => response.Url.EndsWith("/v1/chat/completions", StringComparison.Ordinal) && response.Status == 200);
        await page.ClickAsync("#key-form button[value=ok]");
        var timings = TimingsOf(await (await reply).TextAsync());
        await page.Locator("#comparison").WaitForAsync(new() { Timeout = 60_000 });

        var replies = page.Locator(".message.assistant .text");
        Assert.Equal(expected, await replies.Nth(0).TextContentAsync());
        Assert.Equal(expected, await replies.Nth(1).TextContentAsync());
        var marked = await page.Locator(".message.assistant").Nth(0).Locator(".tok.drafted").CountAsync();
        Assert.True(marked > 0, "no token was marked as accepted from a draft");
        Assert.Equal(timings.GetProperty("draft_n_accepted").GetInt32(), marked);
        Assert.Equal(marked, await page.Locator(".message.assistant").Nth(0).Locator(".tok.drafter-suffix").CountAsync());
        Assert.Equal("true", await page.GetAttributeAsync("#comparison", "data-same"));
        Assert.Contains("identical", await page.TextContentAsync("#comparison"), StringComparison.Ordinal);
        Assert.Equal(ServerFixtureBase.ApiKey, await page.EvaluateAsync<string>("sessionStorage.getItem('lookupdecode.apiKey')"));
        var screenshot = Path.Combine(TestPaths.RepositoryRoot, "artifacts", "page", "chat.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });

        // A key that stops working: refused, cancelled, shown as a 401 message.
        await page.EvaluateAsync("sessionStorage.setItem('lookupdecode.apiKey', 'revoked')");
        await page.FillAsync("#prompt", "And then?");
        await page.PressAsync("#prompt", "Enter");
        await page.Locator("#key-dialog[open]").WaitForAsync();
        await page.ClickAsync("#key-cancel");
        await page.Locator("#error:has-text('401')").WaitForAsync();

        // A long greedy reply stopped mid-stream: the page says so and the server's one sequence is free again.
        await page.EvaluateAsync($"sessionStorage.setItem('lookupdecode.apiKey', '{ServerFixtureBase.ApiKey}')");
        await page.UncheckAsync("#compare");
        await page.SelectOptionAsync("#mode", "greedy");
        await page.FillAsync("#max-tokens", "1900");
        await page.ClickAsync("#clear");
        await page.FillAsync("#prompt", Prompt);
        await page.PressAsync("#prompt", "Enter");
        await page.Locator(".message.assistant .tok >> nth=4").WaitForAsync();
        await page.ClickAsync("#stop");
        var stopped = System.Diagnostics.Stopwatch.StartNew();
        await ServerHttp.WaitUntilIdleAsync(http);
        Assert.True(stopped.Elapsed < TimeSpan.FromSeconds(5), $"the sequence came back {stopped.Elapsed.TotalSeconds:F1} s after the stop");
        await page.Locator("#error:has-text('Stopped')").WaitForAsync();
        Assert.True(await page.Locator(".message.assistant .tok").CountAsync() < 1900);
    }

    /// <summary>The <c>timings</c> object of a streamed reply (on the chunk with the finish reason).</summary>
    private static JsonElement TimingsOf(string events)
    {
        foreach (var line in events.Split('\n'))
        {
            if (line.StartsWith("data: {", StringComparison.Ordinal))
            {
                using var chunk = JsonDocument.Parse(line["data: ".Length..]);
                if (chunk.RootElement.TryGetProperty("timings", out var timings))
                {
                    return timings.Clone();
                }
            }
        }

        throw new InvalidOperationException("the stream carried no timings");
    }
}
