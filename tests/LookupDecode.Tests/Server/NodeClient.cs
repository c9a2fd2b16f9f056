using System.Text.Json;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Server;

/// <summary>
/// Installs the <c>openai</c> npm package (a pinned version) into a temporary folder once per test run and runs
/// <c>Node/openai-client.mjs</c> with it.
/// </summary>
internal static class NodeClient
{
    public const string PackageVersion = "7.55.0";

    private static readonly Lazy<Task<string>> Installed = new(InstallAsync);

    public static async Task<JsonElement> RunAsync(Uri apiBase, string apiKey, string model, string prompt, int maxTokens)
    {
        var folder = await Installed.Value;
        var (exitCode, output, error) = await ChildProcess.RunAsync("node", [Path.Combine(folder, "openai-client.mjs")], new Dictionary<string, string?>
        {
            ["BASE_URL"] = apiBase.ToString().TrimEnd('/'),
            ["API_KEY"] = apiKey,
            ["MODEL"] = model,
            ["PROMPT"] = prompt,
            ["MAX_TOKENS"] = maxTokens.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        Assert.True(exitCode == 0, $"node failed ({exitCode}): {error}");
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    private static async Task<string> InstallAsync()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"lookupdecode-node-openai-{PackageVersion}-{Environment.ProcessId}");
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "package.json"), """{ "name": "lookupdecode-server-test", "private": true, "type": "module" }""");
        var (exitCode, output, error) = await ChildProcess.RunAsync("npm", ["install", "--no-audit", "--no-fund", "--prefix", folder, $"openai@{PackageVersion}"]);
        Assert.True(exitCode == 0, $"npm install openai@{PackageVersion} failed ({exitCode}): {output}{error}");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Server", "Node", "openai-client.mjs"), Path.Combine(folder, "openai-client.mjs"), overwrite: true);
        return folder;
    }
}
