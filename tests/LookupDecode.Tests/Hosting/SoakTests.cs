using LookupDecode.Hosting;
using LookupDecode.Hosting.Load;
using LookupDecode.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LookupDecode.Tests.Hosting;

/// <summary>
/// Bounded soak: many concurrent streams, random cancellations; nothing lost, every reply exact, memory flat, pool whole.
/// Runs alone (after the parallel tests), so the process's resident memory is the soak's own.
/// </summary>
[Collection(SoakCollection.Name)]
public sealed class SoakTests
{
    private static readonly string[] Prompts =
    [
        "Once upon a time", "Tom had a small dog named Max.", "Lily liked to play in the park.", "The sun was hot and",
        "One day, a bird", "Sue and Ben went to the sea.",
    ];

    [ModelFact]
    public async Task Concurrent_streams_with_cancellations_lose_nothing_and_stay_exact()
    {
        using var host = await TestHosts.StartAsync(options =>
        {
            options.MaxConcurrentRequests = 3;
            options.DefaultMaxOutputTokens = 32;
            options.DefaultDrafting = "lookup-d10";
        });
        var client = host.Services.GetRequiredService<IChatClient>();

        var report = await ChatLoadTest.RunAsync(client, host.Services.GetRequiredService<ModelHost>(), Prompts, new ChatLoadOptions
        {
            Requests = 150,
            Concurrency = 12,
            CancelFraction = 0.25,
            WarmUpRequests = 30,
            Timeout = TimeSpan.FromMinutes(5),
        });

        Assert.True(report.Passed, report + string.Concat(report.FailureMessages.Select(message => "\n" + message)));
        Assert.InRange(report.Cancelled, 10, 70);
        // Flat: no per-request growth (150 requests × even 100 KB would show).
        Assert.True(report.ManagedBytesEnd - report.ManagedBytesStart < 8 << 20, report.ToString());
        Assert.True(report.ResidentBytesEnd - report.ResidentBytesStart < 48 << 20, report.ToString());
    }
}

/// <summary>A collection that xunit runs by itself, with no other test in parallel.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SoakCollection
{
    public const string Name = "soak (alone)";
}
