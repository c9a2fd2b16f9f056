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

    /// <summary>
    /// How the model is loaded and its contexts made (<see cref="Models.ModelOptions"/>: context size, batch size, threads,
    /// GPU layers, KV cache type, memory mapping), bound as they are from the <c>"LookupDecode:Model"</c> section, e.g.
    /// <c>LookupDecode:Model:ContextSize</c>. Every model option is here, with no copy to drift.
    /// </summary>
    public Models.ModelOptions Model { get; set; } = new();

    /// <summary>
    /// Most concurrent generations: the sequences of the one engine context (<see cref="Decoding.EngineOptions.Sequences"/>),
    /// each of <see cref="Models.ModelOptions.ContextSize"/> tokens; further callers wait. At most
    /// <see cref="Decoding.EngineOptions.MaxSequences"/>. Default 2.
    /// </summary>
    public int MaxConcurrentRequests { get; set; } = 2;

    /// <summary>How the engine's sequences share the KV cache (<see cref="Decoding.KvLayout"/>). Default per sequence.</summary>
    public Decoding.KvLayout KvLayout { get; set; } = Decoding.KvLayout.PerSequence;

    /// <summary>Most tokens one engine step decodes (<see cref="Decoding.EngineOptions.StepTokens"/>); 0 = the batch size.</summary>
    public int StepTokens { get; set; }

    /// <summary>
    /// Give every request a llama.cpp context of its own (a <see cref="SessionPool"/>) instead of a sequence of the shared
    /// engine: the design before the engine, kept as the serving benchmark's baseline. N requests then make N separate
    /// decodes per step that fight over the same cores. Default false.
    /// </summary>
    public bool PerRequestContexts { get; set; }

    /// <summary>
    /// Most requests waiting for a sequence when all are busy; one more is refused at once with
    /// <see cref="Decoding.EngineFullException"/> (<see cref="SessionPoolFullException"/> with per-request contexts; a server's 429). Default 1,000,000 (in effect unbounded, as an in-process
    /// <see cref="Microsoft.Extensions.AI.IChatClient"/> expects); LookupDecode.Server sets 16.
    /// </summary>
    public int MaxQueuedRequests { get; set; } = 1_000_000;

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
    /// Most bytes of saved dynamic caches in <see cref="DynamicCacheDirectory"/>: each save deletes the least recently
    /// written cache files beyond it (the file just saved is always kept). Cache keys may come from clients (a server's
    /// <c>lookupdecode.cache_key</c>), so without a bound every new key would add a file. Default 1 GiB.
    /// </summary>
    public long MaxDynamicCacheDirectoryBytes { get; set; } = 1L << 30;

    /// <summary>
    /// A small GGUF model with the target's vocabulary for the <c>draft-model</c> preset (checked against the target at
    /// start with llama.cpp's rules); loaded with <see cref="Model"/>'s options. Null: no draft model.
    /// </summary>
    public string? DraftModelPath { get; set; }

    /// <summary>
    /// The draft model stops a draft when its top probability falls below this (llama.cpp's <c>--draft-p-min</c>). Null
    /// (default): 0.75 for fixed-length drafts, none under adaptive drafting (see <see cref="Drafting.DraftModel.DraftModelOptions.MinProbability"/>).
    /// </summary>
    public double? DraftMinProbability { get; set; }

    /// <summary>
    /// Tokens of earlier outputs the suffix drafter remembers per cache key (conversation id or the request's cache key;
    /// requests without one share the key "default"). Default 65,536 (at most 42 MB per key: 640 bytes per token).
    /// </summary>
    public int SuffixMemoryTokens { get; set; } = 1 << 16;

    /// <summary>Most suffix memories (keys) kept; the least recently used is dropped. Default 8 (with the default size, at most 336 MB in all).</summary>
    public int MaxSuffixMemories { get; set; } = 8;

    /// <summary>File the suffix memories are loaded from at start (if it exists) and saved to at shutdown; null keeps them in memory only.</summary>
    public string? SuffixMemoryFile { get; set; }

    /// <summary>
    /// A Redis-protocol server (Redis, Garnet, Valkey; StackExchange.Redis configuration string such as
    /// <c>127.0.0.1:6379</c>) through which replicas share what they generate, so each drafts from the others' outputs
    /// (<see cref="Memory.RedisDraftMemoryStore"/>). Null: memory stays in this process.
    /// </summary>
    public string? SharedMemoryRedis { get; set; }

    /// <summary>Prefix of every key the shared memory writes. Default "lookupdecode".</summary>
    public string SharedMemoryKeyPrefix { get; set; } = "lookupdecode";

    /// <summary>Records kept per shared key (older ones are deleted as new ones arrive). Default 256.</summary>
    public int SharedMemoryRecordsPerKey { get; set; } = 256;

    /// <summary>How long a shared record lives on the server. Default 7 days.</summary>
    public TimeSpan SharedMemoryRecordTtl { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How chat messages become a prompt: "auto" (the GGUF's chat template when it has one, else "raw"), "model" (the
    /// GGUF's template; an error without one), "raw" (message texts joined by newlines, for base models) or the name of
    /// a template llama.cpp knows ("chatml", "llama3", …). Default "auto".
    /// </summary>
    public string ChatTemplate { get; set; } = "auto";
}
