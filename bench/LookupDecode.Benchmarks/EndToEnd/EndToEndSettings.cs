namespace LookupDecode.Benchmarks.EndToEnd;

/// <summary>What the end-to-end suite runs.</summary>
internal sealed record EndToEndSettings
{
    public required string Model { get; init; }

    public required IReadOnlyList<string> PromptFiles { get; init; }

    public IReadOnlyList<string> Modes { get; init; } = ["lookup", "prompt-lookup"];

    public IReadOnlyList<string> Drafts { get; init; } = ["3", "10"];

    /// <summary>Explicit variant labels (greedy, auto, lookup-d3, prompt-lookup-auto, …); when set, replaces Modes × Drafts.</summary>
    public IReadOnlyList<string> Variants { get; init; } = [];

    /// <summary>Draft sizes upstream llama-lookup runs with (0 = its plain decoding); default: 0 and <see cref="Drafts"/>.</summary>
    public IReadOnlyList<int> UpstreamDrafts { get; init; } = [];

    public int MaxTokens { get; init; } = 128;

    public int Repeats { get; init; } = 3;

    public int Threads { get; init; } = 2;

    public int ContextSize { get; init; } = 2048;

    /// <summary>KV cache type of our runs (the target's; the draft model's follows the same rule).</summary>
    public LookupDecode.Models.KvCacheType KvCacheType { get; init; } = LookupDecode.Models.KvCacheType.Auto;

    public string OutputDirectory { get; init; } = "artifacts/bench-e2e";

    /// <summary>Directory holding llama-lookup, or null to skip the upstream comparison.</summary>
    public string? UpstreamBin { get; init; }

    /// <summary>A draft model for the draft-model presets (and for <c>auto</c>, which then drafts with it too).</summary>
    public string? DraftModel { get; init; }

    /// <summary>The draft model's confidence floor (llama.cpp's <c>--draft-p-min</c>); null: 0.75 for fixed drafts, none for adaptive ones.</summary>
    public double? DraftMinProbability { get; init; }

    /// <summary>Draft sizes for upstream <c>llama-speculative</c> with <see cref="DraftModel"/> (empty: not run).</summary>
    public IReadOnlyList<int> UpstreamSpeculativeDrafts { get; init; } = [];

    public bool CostCurve { get; init; } = true;

    public int CostCurveMaxBatch { get; init; } = 32;

    public IReadOnlyList<int> CostCurveDepths { get; init; } = [0, 256];
}
