using LookupDecode.Tests.Support;
using LookupDecode.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LookupDecode.Tests.Hosting;

public sealed class HostileInputTests
{
    [ModelFact]
    public async Task A_chat_message_the_vocabulary_cannot_encode_is_a_typed_error_and_the_host_keeps_serving()
    {
        using var host = await TestHosts.StartAsync(model: TestModelNames.TinyStories656K);
        var client = host.Services.GetRequiredService<IChatClient>();

        var error = await Assert.ThrowsAsync<UnsupportedTextException>(() => client.GetResponseAsync(PromptFile.ReadText(TestPaths.Prompt("code-edit"))));

        Assert.Equal("(", error.Character);
        var fine = await client.GetResponseAsync("Once upon a time", new ChatOptions { MaxOutputTokens = 8 });
        Assert.Equal(8, fine.Usage?.OutputTokenCount);
    }

    [ModelFact]
    public async Task A_damaged_dynamic_cache_file_is_ignored_with_a_warning_not_a_failure()
    {
        using var temp = new TempDirectory();
        using (var host = await TestHosts.StartAsync(options => options.DynamicCacheDirectory = temp.Path))
        {
            var store = host.Services.GetRequiredService<LookupDecode.Hosting.ModelHost>().DynamicCaches;
            File.WriteAllBytes(store.PathOf("dave")!, [1, 2, 3]);
            var reply = await host.Services.GetRequiredService<IChatClient>().GetResponseAsync("Once upon a time", new ChatOptions { ConversationId = "dave", MaxOutputTokens = 8 });
            Assert.Equal(8, reply.Usage?.OutputTokenCount);
        }
    }
}
