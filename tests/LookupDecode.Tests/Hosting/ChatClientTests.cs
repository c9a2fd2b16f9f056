using LookupDecode.Decoding;
using LookupDecode.Hosting;
using LookupDecode.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LookupDecode.Tests.Hosting;

[Collection(SharedModelsCollection.Name)]
public sealed class ChatClientTests(SharedModels models)
{
    private static readonly string[] Prompts =
    [
        "Once upon a time", "Tom had a small dog named Max.", "Lily liked to play in the park.", "The sun was hot and",
        "One day, a bird", "Sue and Ben went to the sea.", "There was a big red ball", "The cat said,",
    ];

    [ModelFact]
    public async Task Dependency_injection_resolves_a_chat_client_whose_reply_is_the_greedy_generation()
    {
        using var host = await TestHosts.StartAsync();
        var client = host.Services.GetRequiredService<IChatClient>();

        var response = await client.GetResponseAsync("Once upon a time");

        Assert.Equal(Greedy("Once upon a time", 48), response.Text);
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
        Assert.Equal(48, response.Usage?.OutputTokenCount);
        Assert.Equal(models.Get(TestModelNames.Stories260K).Tokenize("Once upon a time").Length, response.Usage?.InputTokenCount);
        Assert.Equal("lookup-d10", response.AdditionalProperties?[ChatStatistics.Mode]);
        Assert.True((double)response.AdditionalProperties![ChatStatistics.TokensPerSecond]! > 0);
        Assert.True(response.AdditionalProperties.ContainsKey(ChatStatistics.Drafted));
        Assert.True(response.AdditionalProperties.ContainsKey(ChatStatistics.AcceptPercent));
    }

    [ModelFact]
    public async Task Streaming_yields_the_same_text_as_the_non_streaming_reply_and_greedy_generation()
    {
        using var host = await TestHosts.StartAsync();
        var client = host.Services.GetRequiredService<IChatClient>();

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("Tom had a small dog named Max."))
        {
            updates.Add(update);
        }

        var whole = await client.GetResponseAsync("Tom had a small dog named Max.");
        Assert.Equal(whole.Text, string.Concat(updates.Select(update => update.Text)));
        Assert.Equal(Greedy("Tom had a small dog named Max.", 48), whole.Text);
        Assert.True(updates.Count > 10);
        Assert.Contains(updates[^1].Contents, content => content is UsageContent);
        Assert.NotNull(updates[^1].FinishReason);
    }

    [ModelFact]
    public async Task Eight_concurrent_requests_equal_running_them_one_by_one()
    {
        using var host = await TestHosts.StartAsync(options => options.MaxConcurrentRequests = 2);
        var client = host.Services.GetRequiredService<IChatClient>();
        var sequential = new List<string>();
        foreach (var prompt in Prompts)
        {
            sequential.Add((await client.GetResponseAsync(prompt)).Text);
        }

        var concurrent = await Task.WhenAll(Prompts.Select((prompt, index) => index % 2 == 0
            ? client.GetResponseAsync(prompt).ContinueWith(task => task.Result.Text, TaskScheduler.Default)
            : Concatenate(client.GetStreamingResponseAsync(prompt))));

        Assert.Equal(sequential, concurrent);
        Assert.Equal(0, host.Services.GetRequiredService<ModelHost>().Load.Running);
    }

    [ModelFact]
    public async Task Cancelling_mid_stream_frees_the_context_for_the_next_request()
    {
        using var host = await TestHosts.StartAsync(options =>
        {
            options.MaxConcurrentRequests = 1;
            options.DefaultMaxOutputTokens = 400;
        });
        var client = host.Services.GetRequiredService<IChatClient>();
        var modelHost = host.Services.GetRequiredService<ModelHost>();
        using var cancellation = new CancellationTokenSource();
        var received = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("Once upon a time", cancellationToken: cancellation.Token))
            {
                if (++received == 5)
                {
                    await cancellation.CancelAsync();
                }
            }
        });

        Assert.Equal(0, modelHost.Load.Running);
        var next = await client.GetResponseAsync("The cat said,", new ChatOptions { MaxOutputTokens = 16 });
        Assert.Equal(Greedy("The cat said,", 16), next.Text);
    }

    [ModelFact]
    public async Task Abandoning_a_stream_early_returns_its_context()
    {
        using var host = await TestHosts.StartAsync(options => options.MaxConcurrentRequests = 1);
        var client = host.Services.GetRequiredService<IChatClient>();

        await foreach (var update in client.GetStreamingResponseAsync("Once upon a time"))
        {
            break;
        }

        Assert.Equal(0, host.Services.GetRequiredService<ModelHost>().Load.Running);
        Assert.Equal(Greedy("Once upon a time", 48), (await client.GetResponseAsync("Once upon a time")).Text);
    }

    [ModelFact]
    public async Task A_caller_beyond_the_pool_waits_and_can_cancel_its_wait()
    {
        // The per-request contexts' pool, whose session the test can hold (the engine's waiting line: DecodingEngineTests).
        using var host = await TestHosts.StartAsync(options =>
        {
            options.MaxConcurrentRequests = 1;
            options.PerRequestContexts = true;
        });
        var pool = host.Services.GetRequiredService<ModelHost>().Sessions!;
        var client = host.Services.GetRequiredService<IChatClient>();
        var held = await pool.RentAsync(CancellationToken.None);
        using var cancellation = new CancellationTokenSource();

        var waiting = client.GetResponseAsync("Once upon a time", cancellationToken: cancellation.Token);
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);

        var queued = client.GetResponseAsync("Once upon a time", new ChatOptions { MaxOutputTokens = 8 });
        held.Dispose();
        Assert.Equal(Greedy("Once upon a time", 8), (await queued).Text);
    }

    [ModelFact]
    public async Task Chat_options_are_honoured()
    {
        using var host = await TestHosts.StartAsync();
        var client = host.Services.GetRequiredService<IChatClient>();
        var greedy = Greedy("Once upon a time", 48);
        var stop = greedy.Substring(20, 6);

        var limited = await client.GetResponseAsync("Once upon a time", new ChatOptions { MaxOutputTokens = 5 });
        var stopped = await client.GetResponseAsync("Once upon a time", new ChatOptions { StopSequences = [stop] });
        var streamedStopped = await Concatenate(client.GetStreamingResponseAsync("Once upon a time", new ChatOptions { StopSequences = [stop] }));
        var sampled = await client.GetResponseAsync("Once upon a time", new ChatOptions { Temperature = 0.8f, Seed = 42 });
        var sampledAgain = await client.GetResponseAsync("Once upon a time", new ChatOptions { Temperature = 0.8f, Seed = 42 });
        var plain = await client.GetResponseAsync("Once upon a time", new ChatOptions
        {
            AdditionalProperties = new AdditionalPropertiesDictionary { [ChatStatistics.ModeOption] = "greedy" },
        });

        Assert.Equal(5, limited.Usage?.OutputTokenCount);
        Assert.Equal(greedy[..greedy.IndexOf(stop, StringComparison.Ordinal)], stopped.Text);
        Assert.Equal(ChatFinishReason.Stop, stopped.FinishReason);
        Assert.Equal(stopped.Text, streamedStopped);
        Assert.Equal(sampled.Text, sampledAgain.Text);
        Assert.NotEqual(greedy, sampled.Text);
        Assert.Equal(Sampled("Once upon a time", 48, 0.8f, 42), sampled.Text);
        Assert.Equal(greedy, plain.Text);
        Assert.Equal(0, plain.AdditionalProperties![ChatStatistics.Drafted]);
    }

    [ModelFact]
    public async Task Chat_client_pipelines_compose_through_the_builder()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new Microsoft.Extensions.Hosting.HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddLogging();
        builder.Services.AddLookupDecoding(options =>
        {
            options.ModelPath = TestPaths.Model(TestModelNames.FileOf(TestModelNames.Stories260K));
            options.Model = options.Model with { ContextSize = 512 };
            options.ChatTemplate = "raw";
            options.DefaultMaxOutputTokens = 8;
        }).UseLogging();
        using var host = builder.Build();
        await host.StartAsync();

        var client = host.Services.GetRequiredService<IChatClient>();

        Assert.IsNotType<LookupChatClient>(client);
        Assert.NotNull(client.GetService<LookupChatClient>());
        Assert.Equal(Greedy("Once upon a time", 8), (await client.GetResponseAsync("Once upon a time")).Text);
    }

    [ModelFact]
    public async Task A_configured_draft_model_drafts_for_the_draft_model_preset_and_the_reply_is_the_greedy_one()
    {
        using var host = await TestHosts.StartAsync(options =>
        {
            options.DraftModelPath = TestPaths.Model("stories260K.gguf");
            options.DefaultDrafting = "draft-model";
            options.DraftMinProbability = 0;
        });
        var client = host.Services.GetRequiredService<IChatClient>();

        var response = await client.GetResponseAsync("Once upon a time");

        Assert.Equal(Greedy("Once upon a time", 48), response.Text);
        Assert.True(Convert.ToInt32(response.AdditionalProperties![ChatStatistics.Drafted], System.Globalization.CultureInfo.InvariantCulture) > 0);
    }

    [ModelFact]
    public async Task A_draft_model_of_another_vocabulary_fails_the_start()
    {
        await Assert.ThrowsAsync<LookupDecode.Models.VocabularyMismatchException>(() => TestHosts.StartAsync(options =>
            options.DraftModelPath = TestPaths.Model("TinyStories-656K-Q8_0.gguf")));
    }

    private string Greedy(string prompt, int tokens) => Sampled(prompt, tokens, 0, 42);

    private string Sampled(string prompt, int tokens, float temperature, uint seed)
    {
        using var session = models.Get(TestModelNames.Stories260K).CreateSession();
        return session.Generate(prompt, new GenerationOptions
        {
            MaxTokens = tokens,
            RenderSpecialTokens = false,
            Sampling = new SamplingOptions { Temperature = temperature, Seed = seed },
        }).Text;
    }

    private static async Task<string> Concatenate(IAsyncEnumerable<ChatResponseUpdate> updates)
    {
        var text = new System.Text.StringBuilder();
        await foreach (var update in updates)
        {
            text.Append(update.Text);
        }

        return text.ToString();
    }
}
