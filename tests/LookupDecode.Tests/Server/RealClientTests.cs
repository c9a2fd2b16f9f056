using System.ClientModel;
using LookupDecode.Tests.Support;
using Microsoft.Extensions.AI;
using ChatFinishReason = OpenAI.Chat.ChatFinishReason;
using OpenAI;
using OpenAI.Chat;

namespace LookupDecode.Tests.Server;

/// <summary>
/// The official clients, unchanged, against the running server: OpenAI's .NET SDK, Microsoft.Extensions.AI over it, and
/// the <c>openai</c> npm package. Every greedy reply equals the CLI's plain greedy output for the same prompt.
/// </summary>
public sealed class RealClientTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string Prompt = "Once upon a time";
    private const int MaxTokens = 48;

    private OpenAIClientOptions ClientOptions => new() { Endpoint = server.ApiBase, NetworkTimeout = TimeSpan.FromMinutes(2), RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(0) };

    private ChatClient OpenAiChat => new(ServerFixture.ModelId, new ApiKeyCredential(ServerFixtureBase.ApiKey), ClientOptions);

    [ModelFact]
    public async Task OpenAI_dotnet_sdk_chat_reply_equals_the_CLI_greedy_output()
    {
        var expected = await CliReference.GreedyTextAsync(TestModelNames.Stories260K, Prompt, MaxTokens);

        ChatCompletion completion = await OpenAiChat.CompleteChatAsync(
            [new UserChatMessage(Prompt)], new ChatCompletionOptions { MaxOutputTokenCount = MaxTokens, Temperature = 0 });

        Assert.Equal(expected, completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Length, completion.FinishReason);
        Assert.Equal(MaxTokens, completion.Usage.OutputTokenCount);
        Assert.Equal(ServerFixture.ModelId, completion.Model);
    }

    [ModelFact]
    public async Task OpenAI_dotnet_sdk_streaming_chat_concatenates_to_the_CLI_greedy_output_and_reports_usage()
    {
        var expected = await CliReference.GreedyTextAsync(TestModelNames.Stories260K, Prompt, MaxTokens);
        var text = new System.Text.StringBuilder();
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;

        await foreach (var update in OpenAiChat.CompleteChatStreamingAsync(
            [new UserChatMessage(Prompt)], new ChatCompletionOptions { MaxOutputTokenCount = MaxTokens, Temperature = 0 }))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            usage ??= update.Usage;
            finish ??= update.FinishReason;
        }

        Assert.Equal(expected, text.ToString());
        Assert.Equal(ChatFinishReason.Length, finish);
        Assert.NotNull(usage);
        Assert.Equal(MaxTokens, usage.OutputTokenCount);
    }

    [ModelFact]
    public async Task OpenAI_dotnet_sdk_sees_404_for_an_unknown_model_and_401_for_a_wrong_key()
    {
        var unknown = new ChatClient("no-such-model", new ApiKeyCredential(ServerFixtureBase.ApiKey), ClientOptions);
        var wrongKey = new ChatClient(ServerFixture.ModelId, new ApiKeyCredential("wrong"), ClientOptions);

        var notFound = await Assert.ThrowsAsync<ClientResultException>(() => unknown.CompleteChatAsync([new UserChatMessage("hi")]));
        var unauthorized = await Assert.ThrowsAsync<ClientResultException>(() => wrongKey.CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(404, notFound.Status);
        Assert.Contains("no-such-model", notFound.Message, StringComparison.Ordinal);
        Assert.Equal(401, unauthorized.Status);
    }

    [ModelFact]
    public async Task Microsoft_Extensions_AI_client_over_the_OpenAI_SDK_gets_the_greedy_output_whole_and_streamed()
    {
        var expected = await CliReference.GreedyTextAsync(TestModelNames.Stories260K, Prompt, MaxTokens);
        using var client = OpenAiChat.AsIChatClient();
        var options = new ChatOptions { MaxOutputTokens = MaxTokens, Temperature = 0 };

        var response = await client.GetResponseAsync(Prompt, options);
        var streamed = await client.GetStreamingResponseAsync(Prompt, options).ToChatResponseAsync();

        Assert.Equal(expected, response.Text);
        Assert.Equal(expected, streamed.Text);
        Assert.Equal(MaxTokens, response.Usage?.OutputTokenCount);
        Assert.Equal(MaxTokens, streamed.Usage?.OutputTokenCount);
        Assert.Equal(Microsoft.Extensions.AI.ChatFinishReason.Length, response.FinishReason);
    }

    [ModelFact]
    public async Task Node_openai_package_gets_the_greedy_output_from_completions_and_chat_streamed_or_not()
    {
        var expected = await CliReference.GreedyTextAsync(TestModelNames.Stories260K, Prompt, MaxTokens);
        var node = await NodeClient.RunAsync(server.ApiBase, ServerFixtureBase.ApiKey, ServerFixture.ModelId, Prompt, MaxTokens);

        Assert.Equal(expected, node.GetProperty("completion").GetString());
        Assert.Equal("length", node.GetProperty("completionFinish").GetString());
        Assert.Equal(MaxTokens, node.GetProperty("completionUsage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal(expected, node.GetProperty("completionStream").GetString());
        Assert.Equal(expected, node.GetProperty("chat").GetString());
        Assert.Equal(expected, node.GetProperty("chatStream").GetString());
        Assert.Equal(MaxTokens, node.GetProperty("chatStreamUsage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal("auto", node.GetProperty("chatTimings").GetProperty("mode").GetString());
        Assert.Equal("suffix", node.GetProperty("suffixMode").GetString());
        Assert.Equal(404, node.GetProperty("unknownModel").GetInt32());
        Assert.Equal(400, node.GetProperty("twoChoices").GetInt32());
        Assert.Equal(401, node.GetProperty("wrongKey").GetInt32());
        Assert.Equal([ServerFixture.ModelId], node.GetProperty("models").EnumerateArray().Select(id => id.GetString()!));
    }
}
