using System.Net;
using System.Net.Sockets;
using LookupDecode.Hosting;
using LookupDecode.Hosting.Memory;
using LookupDecode.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LookupDecode.Tests.Hosting;

public sealed class SharedMemoryTests
{
    [Fact]
    public void A_generation_record_reads_back_and_every_mangled_form_is_refused_without_throwing()
    {
        var record = new GenerationRecord(Guid.NewGuid(), 3, [1, 2, 3, 4, 5]);
        var bytes = record.ToBytes();

        var read = GenerationRecord.TryRead(bytes, vocabularySize: 32, out var problem);

        Assert.Null(problem);
        Assert.Equal(record.Origin, read!.Origin);
        Assert.Equal([4, 5], read.Output.ToArray());
        Assert.Null(GenerationRecord.TryRead(bytes, vocabularySize: 5, out problem));
        Assert.Contains("outside the vocabulary", problem, StringComparison.Ordinal);
        var random = new Random(5);
        for (var round = 0; round < 2000; round++)
        {
            var mangled = round % 2 == 0 ? bytes[..random.Next(bytes.Length)] : (byte[])bytes.Clone();
            if (round % 2 == 1)
            {
                mangled[random.Next(mangled.Length)] = (byte)random.Next(256);
            }

            var result = GenerationRecord.TryRead(mangled, vocabularySize: 32, out problem);
            Assert.True(result is null ? problem is not null : result.Tokens.All(token => token is >= 0 and < 32) && result.PromptLength <= result.Tokens.Length);
        }
    }

    [ModelFact]
    public async Task An_unreachable_shared_memory_server_costs_nothing_but_speed()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var host = await TestHosts.StartAsync(options =>
        {
            options.SharedMemoryRedis = $"127.0.0.1:{closedPort}";
            options.DefaultDrafting = "auto";
        });
        using var plain = await TestHosts.StartAsync(options => options.DefaultDrafting = "greedy");
        var chatOptions = new ChatOptions { MaxOutputTokens = 32, AdditionalProperties = new() { [ChatStatistics.CacheKeyOption] = "tenant" } };

        var shared = await host.Services.GetRequiredService<IChatClient>().GetResponseAsync("Once upon a time", chatOptions);
        var expected = await plain.Services.GetRequiredService<IChatClient>().GetResponseAsync("Once upon a time", new ChatOptions { MaxOutputTokens = 32 });

        Assert.IsType<RedisDraftMemoryStore>(host.Services.GetRequiredService<IDraftMemoryStore>());
        Assert.Equal(expected.Text, shared.Text);
    }
}
