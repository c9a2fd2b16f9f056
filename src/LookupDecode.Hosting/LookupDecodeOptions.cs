namespace LookupDecode.Hosting;

/// <summary>
/// Settings of the hosted LookupDecode engine, bound from the <c>"LookupDecode"</c> configuration section or set in code.
/// Checked when the host starts (<see cref="LookupDecodeOptionsValidator"/>): a bad path or value fails the start with a
/// message naming the option.
/// </summary>
public sealed class LookupDecodeOptions
{
    /// <summary>The configuration section bound by default.</summary>
    public const string SectionName = "LookupDecode";

    /// <summary>Path of the GGUF model. Required.</summary>
    public string ModelPath { get; set; } = "";

    /// <summary>Tokens of context per pooled session. Default 4096.</summary>
    public int ContextSize { get; set; } = 4096;

    /// <summary>Prompt tokens per llama_decode during prefill. Default 512.</summary>
    public int BatchSize { get; set; } = 512;

    /// <summary>CPU threads per decode; null uses every logical processor (at most 16).</summary>
    public int? Threads { get; set; }

    /// <summary>Layers offloaded to the GPU (GPU backends only; -1 = all).</summary>
    public int GpuLayers { get; set; }

    /// <summary>KV cache type (see <see cref="Models.KvCacheType"/>). Default Auto.</summary>
    public Models.KvCacheType KvCacheType { get; set; } = Models.KvCacheType.Auto;

    /// <summary>Most concurrent generations (contexts in the pool); further callers wait. Default 2.</summary>
    public int MaxConcurrentRequests { get; set; } = 2;

    /// <summary>
    /// Drafting preset (<see cref="Drafting.DraftingPresets"/>: greedy, prompt-lookup, lookup, auto, pld, llama-lookup,
    /// NAME-dN, NAME-auto) for requests that do not choose one. Default "auto".
    /// </summary>
    public string DefaultDrafting { get; set; } = "auto";

    /// <summary>Most draft tokens per verify step; null keeps the preset's own (16 for the adaptive presets).</summary>
    public int? DraftLength { get; set; }

    /// <summary>Tokens generated when a request sets no <c>MaxOutputTokens</c>. Default 512.</summary>
    public int DefaultMaxOutputTokens { get; set; } = 512;

    /// <summary>Static n-gram cache (llama-lookup-create output) shared read-only by every request; optional.</summary>
    public string? StaticCachePath { get; set; }

    /// <summary>
    /// Directory where per-conversation dynamic caches are loaded from and saved to on shutdown (and on eviction);
    /// null keeps them in memory only.
    /// </summary>
    public string? DynamicCacheDirectory { get; set; }

    /// <summary>Most dynamic caches kept in memory (least recently used ones are saved and dropped). Default 64.</summary>
    public int MaxDynamicCaches { get; set; } = 64;

    /// <summary>Most (n-gram, follower) pairs across all dynamic caches in memory. Default 4,000,000 (≈ 50 MB).</summary>
    public long MaxDynamicCachePairs { get; set; } = 4_000_000;

    /// <summary>
    /// How chat messages become a prompt: "auto" (the GGUF's chat template when it has one, else "raw"), "model" (the
    /// GGUF's template; an error without one), "raw" (message texts joined by newlines, for base models) or the name of
    /// a template llama.cpp knows ("chatml", "llama3", …). Default "auto".
    /// </summary>
    public string ChatTemplate { get; set; } = "auto";
}
