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
    [ModelFact]
    public async Task Concurrent_streams_with_random_disconnects_lose_nothing_match_solo_output_and_return_every_session()
    {
        using var http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromMinutes(2) };
        var solo = new Dictionary<string, string>();
        foreach (var prompt in SoakRounds.Prompts)
        {
            solo[prompt] = await SoakRounds.SoloAsync(http, prompt);
        }

        var random = new Random(17);
        var first = await SoakRounds.RoundAsync(http, solo, random, requests: 48, clients: 6);
        var memoryAfterFirst = SoakRounds.ResidentMegabytes(server.Server.ProcessId);
        var second = await SoakRounds.RoundAsync(http, solo, random, requests: 48, clients: 6);
        var memoryAfterSecond = SoakRounds.ResidentMegabytes(server.Server.ProcessId);
        await ServerHttp.WaitUntilIdleAsync(http);

        output.WriteLine($"round 1: {first.Completed} completed, {first.Disconnected} disconnected; round 2: {second.Completed} completed, {second.Disconnected} disconnected");
        output.WriteLine($"resident memory: {memoryAfterFirst:F0} MB after round 1, {memoryAfterSecond:F0} MB after round 2");
        Assert.Empty(first.Failures.Concat(second.Failures));
        Assert.Equal(96, first.Completed + first.Disconnected + second.Completed + second.Disconnected);
        Assert.True(first.Disconnected > 0 && second.Completed > 0);
        Assert.True(memoryAfterSecond - memoryAfterFirst < 48, $"memory grew from {memoryAfterFirst:F0} MB to {memoryAfterSecond:F0} MB over an equal round");
    }
}
