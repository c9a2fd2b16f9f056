using LookupDecode.Decoding;
using LookupDecode.Hosting;
using LookupDecode.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LookupDecode.Tests.Hosting;

/// <summary>
/// The waiting line's bound holds whatever a request waits on: requests on one cache key wait for that key's dynamic
/// cache, and they count as waiting (refused beyond the bound, shown in the host's load) as they do for a sequence.
/// </summary>
public sealed class AdmissionBoundTests
{
    [ModelTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Requests_on_one_cache_key_are_bounded_by_the_waiting_line_and_shown_waiting(bool perRequestContexts)
    {
        using var host = await TestHosts.StartAsync(options =>
        {
            options.MaxConcurrentRequests = 1;
            options.MaxQueuedRequests = 2;
            options.PerRequestContexts = perRequestContexts;
            options.DefaultDrafting = "lookup";
        });
        using var plain = await TestHosts.StartAsync(options => options.DefaultDrafting = "greedy");
        var model = host.Services.GetRequiredService<ModelHost>();
        var client = host.Services.GetRequiredService<IChatClient>();
        var chatOptions = new ChatOptions { MaxOutputTokens = 400, AdditionalProperties = new() { [ChatStatistics.CacheKeyOption] = "one-tenant" } };
        var expected = (await plain.Services.GetRequiredService<IChatClient>().GetResponseAsync("Once upon a time", new ChatOptions { MaxOutputTokens = 400 })).Text;
        var mostWaiting = 0;
        using var watching = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            while (!watching.IsCancellationRequested)
            {
                mostWaiting = Math.Max(mostWaiting, model.Load.Waiting);
                await Task.Delay(1);
            }
        });

        var requests = Enumerable.Range(0, 40).Select(_ => Task.Run(() => client.GetResponseAsync("Once upon a time", chatOptions))).ToArray();
        var outcomes = await Task.WhenAll(requests.Select(async request =>
        {
            try
            {
                return (await request).Text;
            }
            catch (Exception exception) when (exception is EngineFullException or SessionPoolFullException)
            {
                return null;
            }
        }));
        await watching.CancelAsync();
        await watcher;

        var answered = outcomes.Where(text => text is not null).ToArray();
        Assert.True(outcomes.Count(text => text is null) >= 20, $"{answered.Length} of 40 answered: the bound of 3 in flight did not hold");
        Assert.All(answered, text => Assert.Equal(expected, text));
        // Waiting counts every admitted request not yet generating: up to all 3 in flight, for an instant before the first joins.
        Assert.InRange(mostWaiting, 1, 3);
        Assert.Equal(0, model.Load.Waiting);
    }
}
