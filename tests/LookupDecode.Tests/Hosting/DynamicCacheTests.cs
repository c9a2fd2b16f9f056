using LookupDecode.Hosting;
using LookupDecode.Ngrams;
using LookupDecode.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LookupDecode.Tests.Hosting;

public sealed class DynamicCacheTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [ModelFact]
    public async Task Each_key_keeps_its_own_cache_across_requests_and_it_is_saved_on_shutdown()
    {
        var host = await TestHosts.StartAsync(options => options.DynamicCacheDirectory = _temp.Path);
        var client = host.Services.GetRequiredService<IChatClient>();
        var store = host.Services.GetRequiredService<ModelHost>().DynamicCaches;

        var first = await client.GetResponseAsync("Once upon a time", new ChatOptions { ConversationId = "alice" });
        var pairsAfterFirst = store.TotalPairs;
        var second = await client.GetResponseAsync("Once upon a time", new ChatOptions { ConversationId = "alice" });
        await client.GetResponseAsync("The cat said,", new ChatOptions
        {
            AdditionalProperties = new AdditionalPropertiesDictionary { [ChatStatistics.CacheKeyOption] = "tenant/bob" },
        });

        Assert.Equal(first.Text, second.Text);
        Assert.Equal(2, store.Count);
        Assert.True(pairsAfterFirst > 0);
        Assert.True(store.TotalPairs > pairsAfterFirst);
        await host.StopAsync();
        host.Dispose();

        var aliceFile = store.PathOf("alice")!;
        Assert.True(File.Exists(aliceFile));
        Assert.True(File.Exists(store.PathOf("tenant/bob")!));
        var saved = NgramCache.Load(aliceFile);
        Assert.True(saved.FollowerPairs > 0);
        Assert.DoesNotContain("/", Path.GetFileName(store.PathOf("tenant/bob")!)[..^".lcd.bin".Length], StringComparison.Ordinal);
    }

    [ModelFact]
    public async Task Memory_stays_bounded_by_evicting_the_least_recently_used_cache()
    {
        using var host = await TestHosts.StartAsync(options =>
        {
            options.DynamicCacheDirectory = _temp.Path;
            options.MaxDynamicCaches = 2;
        });
        var client = host.Services.GetRequiredService<IChatClient>();
        var store = host.Services.GetRequiredService<ModelHost>().DynamicCaches;

        foreach (var key in new[] { "one", "two", "three" })
        {
            await client.GetResponseAsync("Once upon a time", new ChatOptions { ConversationId = key });
        }

        Assert.Equal(2, store.Count);
        Assert.True(File.Exists(store.PathOf("one")!), "the evicted cache was saved before it was dropped");
    }

    [ModelFact]
    public async Task A_saved_cache_is_loaded_back_for_its_key()
    {
        var directory = _temp.Path;
        using (var host = await TestHosts.StartAsync(options => options.DynamicCacheDirectory = directory))
        {
            await host.Services.GetRequiredService<IChatClient>().GetResponseAsync("Once upon a time", new ChatOptions { ConversationId = "carol" });
            await host.StopAsync();
        }

        using var restarted = await TestHosts.StartAsync(options => options.DynamicCacheDirectory = directory);
        var store = restarted.Services.GetRequiredService<ModelHost>().DynamicCaches;
        using (var lease = await store.AcquireAsync("carol", CancellationToken.None))
        {
            Assert.True(lease.Cache.FollowerPairs > 0);
        }
    }

    [ModelTheory]
    [InlineData("auto")]
    [InlineData("lookup")]
    [InlineData("llama-lookup")]
    [InlineData("lookup-d4")]
    public async Task Every_preset_that_drafts_with_the_caches_gets_and_feeds_the_dynamic_cache(string preset)
    {
        using var host = await TestHosts.StartAsync(options =>
        {
            options.DynamicCacheDirectory = _temp.Path;
            options.DefaultDrafting = preset;
        });
        var client = host.Services.GetRequiredService<IChatClient>();
        var store = host.Services.GetRequiredService<ModelHost>().DynamicCaches;

        var reply = await client.GetResponseAsync("Once upon a time", new ChatOptions { ConversationId = "carol" });

        Assert.Equal(preset, reply.AdditionalProperties?[ChatStatistics.Mode]);
        Assert.Equal(1, store.Count);
        Assert.True(store.TotalPairs > 0, $"{preset} did not feed the dynamic cache");
    }

    [ModelFact]
    public async Task A_preset_without_the_lookup_drafter_leaves_the_dynamic_caches_alone()
    {
        using var host = await TestHosts.StartAsync(options =>
        {
            options.DynamicCacheDirectory = _temp.Path;
            options.DefaultDrafting = "pld";
        });
        var client = host.Services.GetRequiredService<IChatClient>();

        await client.GetResponseAsync("Once upon a time", new ChatOptions { ConversationId = "dave" });

        Assert.Equal(0, host.Services.GetRequiredService<ModelHost>().DynamicCaches.Count);
    }
}
