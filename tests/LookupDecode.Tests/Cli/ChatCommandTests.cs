using LookupDecode.Cli;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Cli;

[Collection(SharedModelsCollection.Name)]
public sealed class ChatCommandTests(SharedModels models)
{
    [ModelFact]
    public async Task Chat_answers_each_line_with_the_greedy_reply_and_statistics()
    {
        using var input = new StringReader("Once upon a time\n/exit\n");
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = await CliApplication.RunAsync(
            ["chat", "--model", TestPaths.Model("stories260K.gguf"), "--max-tokens", "24", "--threads", "2", "--ctx", "512"], output, error, input);

        Assert.True(exitCode == 0, error.ToString());
        using var session = models.Get(TestModelNames.Stories260K).CreateSession();
        var expected = session.Generate("Once upon a time", new LookupDecode.Decoding.GenerationOptions { MaxTokens = 24, RenderSpecialTokens = false }).Text;
        Assert.Contains(expected, output.ToString(), StringComparison.Ordinal);
        Assert.Contains("tokens/s", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("accepted", output.ToString(), StringComparison.Ordinal);
    }
}
