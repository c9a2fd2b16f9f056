namespace LookupDecode.Hosting;

/// <summary>
/// What one request asks of the hosted model, before defaults apply: every null takes
/// <see cref="LookupDecodeOptions"/>' default or greedy decoding's. Turned into generation options by
/// <see cref="HostedGenerator.Prepare"/>, which checks every value.
/// </summary>
public sealed record HostedRequest
{
    /// <summary>Most tokens to generate; null: <see cref="LookupDecodeOptions.DefaultMaxOutputTokens"/>.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>Sampling temperature; null or 0: greedy (the output plain decoding gives).</summary>
    public float? Temperature { get; init; }

    /// <summary>Nucleus sampling mass (used when sampling).</summary>
    public float? TopP { get; init; }

    /// <summary>Top-k sampling (used when sampling).</summary>
    public int? TopK { get; init; }

    /// <summary>Sampling seed (used when sampling); any 64-bit value, reduced to 32 bits.</summary>
    public long? Seed { get; init; }

    /// <summary>Stop sequences: the text ends before the first one that appears.</summary>
    public IReadOnlyList<string> StopSequences { get; init; } = [];

    /// <summary>Drafting preset (<see cref="Drafting.DraftingPresets"/>); null: <see cref="LookupDecodeOptions.DefaultDrafting"/>.</summary>
    public string? Drafting { get; init; }

    /// <summary>Most draft tokens per verify step; null: <see cref="LookupDecodeOptions.DraftLength"/>.</summary>
    public int? DraftLength { get; init; }

    /// <summary>
    /// Key of the dynamic n-gram cache and suffix memory this request drafts from and adds to (a tenant or
    /// conversation); null: <see cref="ConversationId"/> for the dynamic cache and the shared memory "default".
    /// </summary>
    public string? CacheKey { get; init; }

    /// <summary>The conversation this request continues, if the caller names one.</summary>
    public string? ConversationId { get; init; }
}
