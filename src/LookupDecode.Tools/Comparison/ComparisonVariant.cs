using LookupDecode.Decoding;

namespace LookupDecode.Comparison;

/// <summary>One way of generating to compare: a label and the options it runs with.</summary>
/// <param name="Label">Name shown in tables and files (e.g. "greedy", "lookup", "lookup-d3").</param>
/// <param name="Options">Generation options; the comparison's token limit overrides <see cref="GenerationOptions.MaxTokens"/>.</param>
public sealed record ComparisonVariant(string Label, GenerationOptions Options);
