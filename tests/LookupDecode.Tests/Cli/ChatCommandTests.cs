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

    [ModelTheory]
    [InlineData("auto", "auto")]
    [InlineData("lookup", "3")]
    [InlineData("llama-lookup", "auto")]
    [InlineData("greedy", "auto")]
    public async Task Chat_takes_every_preset_and_draft_auto(string mode, string draft)
    {
        using var input = new StringReader("Once upon a time\n/exit\n");
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = await CliApplication.RunAsync(
            ["chat", "--model", TestPaths.Model("stories260K.gguf"), "--max-tokens", "16", "--threads", "2", "--ctx", "512", "--mode", mode, "--draft", draft, "--kv-type", "f16"],
            output, error, input);

        Assert.True(exitCode == 0, error.ToString());
        using var session = models.Get(TestModelNames.Stories260K).CreateSession();
        var expected = session.Generate("Once upon a time", new LookupDecode.Decoding.GenerationOptions { MaxTokens = 16, RenderSpecialTokens = false }).Text;
        Assert.Contains(expected, output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_texts_name_the_presets_auto_included()
    {
        foreach (var command in new[] { "generate", "chat", "compare" })
        {
            var (_, output, _) = await CliRunner.RunAsync(command, "--help");

            Assert.Contains("auto", output, StringComparison.Ordinal);
            Assert.Contains("llama-lookup", output, StringComparison.Ordinal);
        }
    }

    [ModelFact]
    public async Task An_unknown_template_is_refused_at_start_with_the_known_names_in_one_line()
    {
        using var input = new StringReader("Once upon a time\n/exit\n");
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = await CliApplication.RunAsync(
            ["chat", "--model", TestPaths.Model("stories260K.gguf"), "--template", "nonsense", "--threads", "2", "--ctx", "512"], output, error, input);

        Assert.Equal(1, exitCode);
        Assert.Empty(output.ToString());
        Assert.Contains("--template", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("chatml", error.ToString(), StringComparison.Ordinal);
        Assert.Single(error.ToString().TrimEnd().Split('\n'));
    }

    [ModelFact]
    public async Task A_message_the_vocabulary_cannot_encode_is_refused_and_the_chat_goes_on()
    {
        using var input = new StringReader("a {brace}\nOnce upon a time\n/exit\n");
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = await CliApplication.RunAsync(
            ["chat", "--model", TestPaths.Model(TestModelNames.FileOf(TestModelNames.TinyStories656K)), "--max-tokens", "12", "--threads", "2",
             "--ctx", "512", "--template", "raw", "--mode", "greedy"], output, error, input);

        Assert.True(exitCode == 0, error.ToString());
        Assert.Contains("'{'", output.ToString(), StringComparison.Ordinal);
        using var session = models.Get(TestModelNames.TinyStories656K).CreateSession();
        var expected = session.Generate("Once upon a time", new LookupDecode.Decoding.GenerationOptions { MaxTokens = 12, RenderSpecialTokens = false }).Text;
        Assert.Contains(expected, output.ToString(), StringComparison.Ordinal);
    }
}
