using System.CommandLine;
using LookupDecode.Hosting;
using LookupDecode.Hosting.Load;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LookupDecode.Benchmarks.Soak;

/// <summary>
/// <c>soak --model M [--requests N] [--concurrency C] [--pool P] [--cancel 0.2] [--max-tokens 48]</c>: drives the hosted
/// IChatClient with concurrent streaming requests (some cancelled) and prints the <see cref="ChatLoadReport"/>.
/// </summary>
internal static class SoakCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var model = new Option<string>("--model") { Required = true };
        var requests = new Option<int>("--requests") { DefaultValueFactory = _ => 2000 };
        var concurrency = new Option<int>("--concurrency") { DefaultValueFactory = _ => 16 };
        var pool = new Option<int>("--pool") { DefaultValueFactory = _ => 4 };
        var cancel = new Option<double>("--cancel") { DefaultValueFactory = _ => 0.2 };
        var maxTokens = new Option<int>("--max-tokens") { DefaultValueFactory = _ => 48 };
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => 1 };
        var command = new RootCommand("Soak the hosted IChatClient.") { model, requests, concurrency, pool, cancel, maxTokens, threads };
        var parsed = command.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            Console.Error.WriteLine(parsed.Errors[0].Message);
            return 2;
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddLookupDecoding(options =>
        {
            options.ModelPath = parsed.GetValue(model)!;
            options.Model = new LookupDecode.Models.ModelOptions { ContextSize = 1024, Threads = parsed.GetValue(threads) };
            options.MaxConcurrentRequests = parsed.GetValue(pool);
            options.DefaultMaxOutputTokens = parsed.GetValue(maxTokens);
            options.ChatTemplate = "raw";
        });
        using var host = builder.Build();
        await host.StartAsync();
        string[] prompts =
        [
            "Once upon a time", "Tom had a small dog named Max.", "Lily liked to play in the park.", "The sun was hot and",
            "One day, a bird", "Sue and Ben went to the sea.", "There was a big red ball", "The cat said,",
        ];
        using var interrupt = new LookupDecode.Signals.InterruptSignal();
        ChatLoadReport report;
        try
        {
            report = await ChatLoadTest.RunAsync(host.Services.GetRequiredService<IChatClient>(), host.Services.GetRequiredService<ModelHost>(), prompts,
                new ChatLoadOptions
                {
                    Requests = parsed.GetValue(requests),
                    Concurrency = parsed.GetValue(concurrency),
                    CancelFraction = parsed.GetValue(cancel),
                    WarmUpRequests = Math.Max(20, parsed.GetValue(requests) / 20),
                    Timeout = TimeSpan.FromHours(1),
                }, interrupt.Token);
        }
        catch (OperationCanceledException) when (interrupt.Requested)
        {
            await host.StopAsync(CancellationToken.None);
            Console.WriteLine("cancelled: a soak is judged whole, so no figures are reported");
            return 130;
        }

        Console.WriteLine($"concurrency {parsed.GetValue(concurrency)}, pool {parsed.GetValue(pool)}: {report}");
        foreach (var message in report.FailureMessages)
        {
            Console.WriteLine("  " + message);
        }

        await host.StopAsync();
        return report.Passed ? 0 : 1;
    }
}
