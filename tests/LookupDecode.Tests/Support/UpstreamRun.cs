using System.Text.Json;
using System.Text.Json.Serialization;

namespace LookupDecode.Tests.Support;

/// <summary>One <c>llama-lookup</c> run recorded by upstream llama.cpp 0.7.0 (tests/data/fixtures/upstream/*.json).</summary>
public sealed record UpstreamRun
{
    [JsonPropertyName("model")] public string Model { get; init; } = "";
    [JsonPropertyName("prompt_file")] public string PromptFile { get; init; } = "";
    [JsonPropertyName("n_draft")] public int DraftLength { get; init; }
    [JsonPropertyName("n_predict_arg")] public int MaxTokens { get; init; }
    [JsonPropertyName("n_predict")] public double Predicted { get; init; }
    [JsonPropertyName("n_drafted")] public double Drafted { get; init; }
    [JsonPropertyName("n_accept")] public double Accepted { get; init; }
    [JsonPropertyName("accept_percent")] public double AcceptPercent { get; init; }
    [JsonPropertyName("static_cache")] public string? StaticCache { get; init; }
    [JsonPropertyName("dynamic_cache_in")] public string? DynamicCacheIn { get; init; }
    [JsonPropertyName("dynamic_cache_out")] public string? DynamicCacheOut { get; init; }
    [JsonPropertyName("stdout_text")] public string StdoutText { get; init; } = "";

    /// <summary>
    /// What llama-lookup printed for the prompt and the generated tokens: stdout minus the two newlines it
    /// prints before the prompt and the four after the generation.
    /// </summary>
    public string PrintedText
    {
        get
        {
            const string before = "\n\n";
            const string after = "\n\n\n\n";
            if (!StdoutText.StartsWith(before, StringComparison.Ordinal) || !StdoutText.EndsWith(after, StringComparison.Ordinal))
            {
                throw new InvalidDataException($"unexpected llama-lookup output framing in {Model}/{PromptFile}");
            }

            return StdoutText[before.Length..^after.Length];
        }
    }

    public string ModelName => Path.GetFileNameWithoutExtension(Model);

    public string PromptName => Path.GetFileNameWithoutExtension(PromptFile);

    public static UpstreamRun Load(string fileName)
    {
        var path = TestPaths.Fixture("upstream", fileName);
        return JsonSerializer.Deserialize<UpstreamRun>(File.ReadAllText(path))
               ?? throw new InvalidDataException($"empty fixture {path}");
    }

    /// <summary>Fixture file names matching <paramref name="pattern"/>; empty when fixtures are absent.</summary>
    public static IEnumerable<string> Files(string pattern)
    {
        if (TestPaths.FixturesDirectory is null)
        {
            return [];
        }

        return Directory.EnumerateFiles(Path.Combine(TestPaths.FixturesDirectory, "upstream"), pattern)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Order(StringComparer.Ordinal);
    }
}
