using System.Diagnostics;
using System.Text;
using LookupDecode.Diagnostics;
using Microsoft.Extensions.AI;

namespace LookupDecode.Hosting.Load;

/// <summary>
/// Soak test of a hosted LookupDecode chat client: many concurrent streaming requests, some cancelled mid-stream, each
/// completed reply checked against the reply the same prompt got when sent alone, with memory and the session pool
/// checked afterwards. In-process only; bounded in requests and time.
/// </summary>
public static class ChatLoadTest
{
    /// <summary>Runs the test against <paramref name="client"/> served by <paramref name="host"/>.</summary>
    public static async Task<ChatLoadReport> RunAsync(IChatClient client, ModelHost host, IReadOnlyList<string> prompts, ChatLoadOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(options);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);

        // The reference: each prompt alone, one after another.
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var prompt in prompts.Distinct())
        {
            expected[prompt] = (await client.GetResponseAsync(prompt, options.ChatOptions, timeout.Token).ConfigureAwait(false)).Text;
        }

        var random = new Random(options.Seed);
        await RunPhaseAsync(client, prompts, expected, options with { Requests = options.WarmUpRequests }, random, timeout.Token).ConfigureAwait(false);
        var managedStart = ManagedBytes();
        var residentStart = PeakMemory.CurrentBytes();
        var started = Stopwatch.GetTimestamp();
        var outcome = await RunPhaseAsync(client, prompts, expected, options, random, timeout.Token).ConfigureAwait(false);
        var duration = Stopwatch.GetElapsedTime(started);
        var managedEnd = ManagedBytes();
        return outcome with
        {
            Duration = duration,
            ResidentBytesStart = residentStart,
            ResidentBytesEnd = PeakMemory.CurrentBytes(),
            ManagedBytesStart = managedStart,
            ManagedBytesEnd = managedEnd,
            SessionsAvailableAfter = host.Load.Capacity - host.Load.Running,
            PoolCapacity = host.Load.Capacity,
        };
    }

    private static async Task<ChatLoadReport> RunPhaseAsync(IChatClient client, IReadOnlyList<string> prompts, Dictionary<string, string> expected,
        ChatLoadOptions options, Random random, CancellationToken cancellationToken)
    {
        var plan = Enumerable.Range(0, options.Requests)
            .Select(_ => (Prompt: prompts[random.Next(prompts.Count)], CancelAfter: random.NextDouble() < options.CancelFraction ? random.Next(1, 8) : -1))
            .ToArray();
        using var gate = new SemaphoreSlim(options.Concurrency);
        int completed = 0, cancelled = 0, mismatches = 0, failures = 0;
        var messages = new List<string>();
        var tasks = plan.Select(async request =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var outcome = await StreamAsync(client, request.Prompt, request.CancelAfter, options.ChatOptions, cancellationToken).ConfigureAwait(false);
                if (outcome is null)
                {
                    Interlocked.Increment(ref cancelled);
                }
                else if (outcome == expected[request.Prompt])
                {
                    Interlocked.Increment(ref completed);
                }
                else
                {
                    Interlocked.Increment(ref completed);
                    Interlocked.Increment(ref mismatches);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref failures);
                lock (messages)
                {
                    if (messages.Count < 10)
                    {
                        messages.Add($"{exception.GetType().Name}: {exception.Message}");
                    }
                }
            }
            finally
            {
                gate.Release();
            }
        }).ToArray();
        await Task.WhenAll(tasks).ConfigureAwait(false);
        return new ChatLoadReport(options.Requests, completed, cancelled, mismatches, failures, TimeSpan.Zero, 0, 0, 0, 0, 0, 0, messages);
    }

    /// <summary>Streams one reply; returns its text, or null when it was cancelled after <paramref name="cancelAfter"/> updates as planned.</summary>
    private static async Task<string?> StreamAsync(IChatClient client, string prompt, int cancelAfter, ChatOptions? options, CancellationToken cancellationToken)
    {
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var text = new StringBuilder();
        var updates = 0;
        try
        {
            await foreach (var update in client.GetStreamingResponseAsync(prompt, options, cancellation.Token).ConfigureAwait(false))
            {
                text.Append(update.Text);
                if (++updates == cancelAfter)
                {
                    await cancellation.CancelAsync().ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancelAfter > 0 && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        // A reply shorter than the cancellation point ends normally: it counts as completed.
        return text.ToString();
    }

    private static long ManagedBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
