using System.Text.Json;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Cli;

/// <summary><c>--suffix-memory</c>: a later run drafts from what an earlier one generated; compare refuses it.</summary>
public sealed class SuffixMemoryCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [ModelFact]
    public async Task A_second_run_drafts_from_the_first_run_s_output_and_the_text_is_the_same()
    {
        var memory = _temp.File("memory.bin");
        string[] args = ["generate", "--model", TestPaths.Model("stories260K.gguf"), "--prompt", "Once upon a time", "-n", "48",
            "--mode", "suffix", "--suffix-memory", memory, "--threads", "2", "--json"];

        var first = await CliRunner.RunAsync(args);
        var second = await CliRunner.RunAsync(args);

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(0, second.ExitCode);
        using var one = JsonDocument.Parse(first.Output);
        using var two = JsonDocument.Parse(second.Output);
        Assert.Equal(one.RootElement.GetProperty("text").GetString(), two.RootElement.GetProperty("text").GetString());
        Assert.True(two.RootElement.GetProperty("decode_calls").GetInt32() < one.RootElement.GetProperty("decode_calls").GetInt32() / 4);
        Assert.True(File.Exists(memory));
    }

    [Fact]
    public async Task Compare_refuses_a_memory_that_would_let_repeats_copy_each_other()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync("compare", "--model", "unused.gguf", "--prompt", "x", "--suffix-memory", _temp.File("m.bin"));

        Assert.Equal(1, exitCode);
        Assert.Contains("--suffix-memory", error, StringComparison.Ordinal);
    }
}
