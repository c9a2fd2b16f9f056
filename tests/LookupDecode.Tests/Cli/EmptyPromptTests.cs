using LookupDecode.Gguf;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Cli;

/// <summary>A prompt that tokenizes to nothing (a model that adds no BOS, given only a byte-order mark or nothing) is refused, never run silently.</summary>
public sealed class EmptyPromptTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [ModelTheory]
    [InlineData("bom")]
    [InlineData("bom-newline")]
    [InlineData("empty")]
    public async Task A_prompt_of_no_text_on_a_model_without_bos_is_a_one_line_error(string content)
    {
        var model = _temp.File("no-bos.gguf");
        GgufRewrite.Copy(TestPaths.Model("stories260K.gguf"), model, metadata => metadata["tokenizer.ggml.add_bos_token"] = GgufMetadataValue.Of(false));
        var prompt = _temp.File("prompt.txt");
        File.WriteAllBytes(prompt, content switch { "bom" => [0xEF, 0xBB, 0xBF], "bom-newline" => [0xEF, 0xBB, 0xBF, 0x0A], _ => [] });

        var (exitCode, output, error) = await CliRunner.RunAsync("generate", "--model", model, "-f", prompt, "-n", "8", "--json");

        Assert.Equal(1, exitCode);
        Assert.Empty(output);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains("is empty", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_byte_order_mark_before_text_stays_as_llama_cpp_keeps_it()
    {
        var prompt = _temp.File("prompt.txt");
        File.WriteAllBytes(prompt, [0xEF, 0xBB, 0xBF, .. "Once upon a time"u8]);

        Assert.Equal("\uFEFFOnce upon a time", LookupDecode.Text.PromptFile.ReadText(prompt));
        File.WriteAllBytes(prompt, [0xEF, 0xBB, 0xBF]);
        Assert.Equal(string.Empty, LookupDecode.Text.PromptFile.ReadText(prompt));
    }
}
