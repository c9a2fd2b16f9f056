using System.Text.Json;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Server;

/// <summary>What the CLI's plain greedy decoding prints for a prompt: the reference every server reply must equal.</summary>
internal static class CliReference
{
    public static async Task<string> GreedyTextAsync(string model, string prompt, int maxTokens)
    {
        var (exitCode, output, error) = await ChildProcess.RunAsync("dotnet",
        [
            ChildProcess.CliDll, "generate", "--model", TestPaths.Model(TestModelNames.FileOf(model)), "--prompt", prompt,
            "--max-tokens", maxTokens.ToString(System.Globalization.CultureInfo.InvariantCulture), "--mode", "greedy", "--ctx", "2048", "--json",
        ]);
        Assert.True(exitCode == 0, error);
        using var json = JsonDocument.Parse(output);
        return json.RootElement.GetProperty("text").GetString()!;
    }
}
