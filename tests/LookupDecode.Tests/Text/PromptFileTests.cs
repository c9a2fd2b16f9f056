using LookupDecode.Tests.Cli;
using LookupDecode.Tests.Support;
using LookupDecode.Text;

namespace LookupDecode.Tests.Text;

/// <summary>Prompt files are read as llama.cpp's -f reads them: bytes exactly, one trailing newline dropped, invalid UTF-8 refused.</summary>
public sealed class PromptFileTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(new byte[] { 0x61, 0x62, 0xFF, 0x63 }, 2)]
    [InlineData(new byte[] { 0xC3 }, 0)]
    [InlineData(new byte[] { 0x61, 0xE2, 0x82 }, 1)]
    [InlineData(new byte[] { 0x61, 0x62, 0x63, 0xED, 0xA0, 0x80 }, 3)]
    public void Invalid_utf8_is_refused_at_its_byte_offset(byte[] content, long offset)
    {
        var path = _temp.File("prompt.txt");
        File.WriteAllBytes(path, content);

        var error = Assert.Throws<PromptFormatException>(() => PromptFile.ReadText(path));

        Assert.Equal(offset, error.Offset);
        Assert.Contains($"byte offset {offset}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_byte_order_mark_is_kept_and_one_trailing_newline_dropped()
    {
        var path = _temp.File("prompt.txt");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, 0x68, 0xC3, 0xA9, 0x0A, 0x0A]);

        Assert.Equal("\uFEFFhé\n", PromptFile.ReadText(path));
    }

    [Fact]
    public async Task The_cli_reports_invalid_utf8_in_one_line()
    {
        var path = _temp.File("prompt.txt");
        File.WriteAllBytes(path, [0x68, 0x69, 0xC0, 0xAF]);

        var (exitCode, output, error) = await CliRunner.RunAsync("generate", "--model", "unused.gguf", "--prompt-file", path);

        Assert.Equal(1, exitCode);
        Assert.Empty(output);
        Assert.Contains("invalid UTF-8 at byte offset 2", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
    }
}
