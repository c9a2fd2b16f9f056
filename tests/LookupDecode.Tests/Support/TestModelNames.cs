namespace LookupDecode.Tests.Support;

/// <summary>The vendored test models (see tests/data/models/README.md).</summary>
internal static class TestModelNames
{
    /// <summary>Random weights; loops, so n-gram acceptance is high. Llama-2 tokenizer with byte fallback.</summary>
    public const string TinyRandom = "llama-2-tiny-random";

    /// <summary>Trained on TinyStories; real, low acceptance. Byte fallback.</summary>
    public const string Stories260K = "stories260K";

    /// <summary>Trained on TinyStoriesV2, Q8_0. No byte fallback: characters outside its alphabet must be refused.</summary>
    public const string TinyStories656K = "TinyStories-656K-Q8_0";

    public static readonly string[] All = [TinyRandom, Stories260K, TinyStories656K];

    public static string FileOf(string model) => model + ".gguf";
}
