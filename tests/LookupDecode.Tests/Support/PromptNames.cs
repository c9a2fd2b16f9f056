namespace LookupDecode.Tests.Support;

/// <summary>The fixture prompts (tests/data/fixtures/prompts/*.txt), by name.</summary>
internal static class PromptNames
{
    public static readonly string[] All =
        ["code-edit", "open-ended", "qa-context", "story", "summarize-article", "tiny-ball", "tiny-dog", "tiny-once"];
}
