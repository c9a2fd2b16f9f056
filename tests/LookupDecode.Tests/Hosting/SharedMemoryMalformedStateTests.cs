using LookupDecode.Hosting;
using LookupDecode.Hosting.Memory;
using LookupDecode.Tests.Server;
using LookupDecode.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace LookupDecode.Tests.Hosting;

/// <summary>
/// Whatever sits in the shared memory server under a key — a counter that is not a number, one at the limit, a key of
/// another type, records too large or too many — costs speed only: every request answers the greedy text, reads are
/// bounded, and everything a replica writes expires.
/// </summary>
public sealed class SharedMemoryMalformedStateTests : IAsyncLifetime
{
    private const string Prompt = "Once upon a time";
    private readonly string _prefix = "malformed-" + Guid.NewGuid().ToString("N")[..8];
    private Garnet? _garnet;
    private ConnectionMultiplexer? _redis;
    private IHost? _host;
    private string? _expected;

    public async Task InitializeAsync()
    {
        if (TestPaths.MissingModelsReason is not null)
        {
            return;
        }

        _garnet = await Garnet.StartAsync();
        _redis = await ConnectionMultiplexer.ConnectAsync(_garnet.Endpoint);
        _host = await TestHosts.StartAsync(options =>
        {
            options.SharedMemoryRedis = _garnet.Endpoint;
            options.SharedMemoryKeyPrefix = _prefix;
            options.SharedMemoryRecordTtl = TimeSpan.FromHours(1);
        });
        using var plain = await TestHosts.StartAsync(options => options.DefaultDrafting = "greedy");
        _expected = (await plain.Services.GetRequiredService<IChatClient>().GetResponseAsync(Prompt, Options(null))).Text;
    }

    public async Task DisposeAsync()
    {
        _host?.Dispose();
        _redis?.Dispose();
        if (_garnet is not null)
        {
            await _garnet.DisposeAsync();
        }
    }

    private IDatabase Database => _redis!.GetDatabase();

    private string Log(string key) => $"{_prefix}:{TestModelNames.Stories260K}:ngram:{key}";

    private static ChatOptions Options(string? key) => new()
    {
        MaxOutputTokens = 32,
        AdditionalProperties = key is null ? null : new() { [ChatStatistics.CacheKeyOption] = key },
    };

    private async Task<string> Ask(string key) => (await _host!.Services.GetRequiredService<IChatClient>().GetResponseAsync(Prompt, Options(key))).Text;

    public static TheoryData<string> Counters => ["not-a-number", "9223372036854775807", "-5", "4503599627370497", "1e3"];

    [ModelTheory]
    [MemberData(nameof(Counters))]
    public async Task A_malformed_counter_reads_as_an_empty_log_and_the_next_record_starts_it_over(string counter)
    {
        var key = "counter-" + Guid.NewGuid().ToString("N")[..8];
        await Database.StringSetAsync(Log(key) + ":seq", counter);

        Assert.Equal(_expected, await Ask(key));
        Assert.Equal(_expected, await Ask(key));

        var written = await Database.StringGetAsync(Log(key) + ":seq");
        Assert.True(written.TryParse(out long sequence) && sequence is >= 1 and <= 2, $"counter after two records: {written}");
        Assert.NotNull(await Database.KeyTimeToLiveAsync(Log(key) + ":seq"));
    }

    [ModelFact]
    public async Task A_counter_or_record_of_another_type_costs_nothing_but_speed()
    {
        var key = "types-" + Guid.NewGuid().ToString("N")[..8];
        await Database.ListRightPushAsync(Log(key) + ":seq", "1");
        Assert.Equal(_expected, await Ask(key));

        var other = "records-" + Guid.NewGuid().ToString("N")[..8];
        await Database.StringSetAsync(Log(other) + ":seq", 3);
        await Database.ListRightPushAsync(Log(other) + ":r:2", "x");
        await Database.StringSetAsync(Log(other) + ":r:3", new byte[] { 1, 2, 3 });
        Assert.Equal(_expected, await Ask(other));
    }

    [ModelFact]
    public async Task Large_records_are_read_newest_first_within_the_read_budget()
    {
        var key = "large-" + Guid.NewGuid().ToString("N")[..8];
        var store = (RedisDraftMemoryStore)_host!.Services.GetRequiredService<IDraftMemoryStore>();
        var tokens = Enumerable.Range(0, 200_000).Select(i => 1 + (i * 7 % 400)).ToArray();
        var record = new GenerationRecord(Guid.NewGuid(), 100, tokens).ToBytes();
        var oversized = new GenerationRecord(Guid.NewGuid(), 100, [.. Enumerable.Repeat(5, GenerationRecord.MaxTokens + 1)]).ToBytes();
        for (var n = 1; n <= 8; n++)
        {
            await Database.StringSetAsync($"{Log(key)}:r:{n}", n == 8 ? oversized : record);
        }

        await Database.StringSetAsync(Log(key) + ":seq", 8);
        var before = store.RecordsLearned;

        Assert.Equal(_expected, await Ask(key));

        // 800 KB records, 4 MiB per read: the newest five that fit are learned, the oversized one is never read.
        Assert.Equal(5, store.RecordsLearned - before);
    }

    [ModelFact]
    public async Task Everything_a_replica_writes_expires()
    {
        var key = "fresh-" + Guid.NewGuid().ToString("N")[..8];

        Assert.Equal(_expected, await Ask(key));

        var server = _redis!.GetServer(_garnet!.Endpoint);
        var written = server.Keys(pattern: Log(key) + "*").ToArray();
        Assert.Equal(2, written.Length);
        foreach (var name in written)
        {
            Assert.NotNull(await Database.KeyTimeToLiveAsync(name));
        }
    }
}
