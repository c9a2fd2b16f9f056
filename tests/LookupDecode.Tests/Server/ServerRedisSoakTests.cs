using LookupDecode.Tests.Support;
using Xunit.Abstractions;

namespace LookupDecode.Tests.Server;

/// <summary>
/// The server soak with its shared memory in Redis (Garnet): 16 concurrent streams on cache keys, a third of the clients
/// hanging up, and Redis killed and restarted mid-round. Memory may only ever cost speed: nothing is lost, every
/// completed reply equals its prompt's solo greedy text, the server's memory stays flat between two equal rounds after.
/// </summary>
public sealed class ServerRedisSoakTests(ITestOutputHelper output)
{
    [ModelFact]
    public async Task Sixteen_streams_survive_redis_killed_and_restarted_mid_run_and_lose_nothing()
    {
        var garnet = await Garnet.StartAsync();
        var port = garnet.Port;
        await using var server = await ServerProcess.StartAsync(TestPaths.Model(TestModelNames.FileOf(TestModelNames.Stories260K)),
        [
            "--parallel", "16", "--LookupDecode:MaxQueuedRequests", "64", "--ctx", "1024",
            "--LookupDecode:SharedMemoryRedis", garnet.Endpoint, "--LookupDecode:SharedMemoryKeyPrefix", $"soak-{Guid.NewGuid():N}",
        ]);
        try
        {
            using var http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromMinutes(2) };
            var solo = new Dictionary<string, string>();
            foreach (var prompt in SoakRounds.Prompts)
            {
                solo[prompt] = await SoakRounds.SoloAsync(http, prompt);
            }

            string[] keys = ["tenant-a", "tenant-b", "tenant-c"];
            var random = new Random(27);

            // Round 1: Redis dies a moment in and comes back on the same port a moment later.
            var round = SoakRounds.RoundAsync(http, solo, random, requests: 64, clients: 16, keys);
            await Task.Delay(TimeSpan.FromSeconds(1));
            await garnet.KillAsync();
            await garnet.DisposeAsync();
            // Stay down until the server has noticed (a busy machine can make the first failing call late), then return.
            var noticedBy = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (!server.Log.Contains("Shared draft memory unavailable", StringComparison.Ordinal) && DateTime.UtcNow < noticedBy && !round.IsCompleted)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200));
            }

            garnet = await Garnet.StartAsync(port);
            var first = await round;
            var second = await SoakRounds.RoundAsync(http, solo, random, requests: 64, clients: 16, keys);
            var memoryAfterSecond = SoakRounds.ResidentMegabytes(server.ProcessId);
            var third = await SoakRounds.RoundAsync(http, solo, random, requests: 64, clients: 16, keys);
            var memoryAfterThird = SoakRounds.ResidentMegabytes(server.ProcessId);
            await ServerHttp.WaitUntilIdleAsync(http);

            SoakRounds.Round[] rounds = [first, second, third];
            output.WriteLine(string.Join("; ", rounds.Select((r, i) => $"round {i + 1}: {r.Completed} completed, {r.Disconnected} disconnected, {r.Failures.Count} failed")));
            output.WriteLine($"resident memory: {memoryAfterSecond:F0} MB after round 2, {memoryAfterThird:F0} MB after round 3");
            Assert.Empty(rounds.SelectMany(r => r.Failures));
            Assert.Contains("Shared draft memory unavailable", server.Log, StringComparison.Ordinal); // Redis really was gone mid-round
            Assert.Equal(192, rounds.Sum(r => r.Completed + r.Disconnected));
            Assert.All(rounds, r => Assert.True(r.Completed > 0 && r.Disconnected > 0));
            Assert.True(memoryAfterThird - memoryAfterSecond < 48, $"memory grew from {memoryAfterSecond:F0} MB to {memoryAfterThird:F0} MB over an equal round");
        }
        finally
        {
            await garnet.DisposeAsync();
        }
    }
}
