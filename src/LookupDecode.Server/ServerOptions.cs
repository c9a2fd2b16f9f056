namespace LookupDecode.Server;

/// <summary>
/// Settings of the HTTP server itself, bound from the <c>"Server"</c> configuration section (<c>--api-key</c> sets
/// <see cref="ApiKey"/>). The engine's own settings are <see cref="Hosting.LookupDecodeOptions"/> (<c>"LookupDecode"</c>).
/// </summary>
public sealed class ServerOptions
{
    /// <summary>The configuration section bound.</summary>
    public const string SectionName = "Server";

    /// <summary>When set, every <c>/v1/*</c> request must carry <c>Authorization: Bearer KEY</c> (else 401).</summary>
    public string? ApiKey { get; set; }

    /// <summary>The model id clients name (<c>"model"</c>) and <c>/v1/models</c> lists; default: the GGUF file name without extension.</summary>
    public string? ModelId { get; set; }

    /// <summary>Largest request body accepted, in bytes (larger: 413). Default 4 MiB.</summary>
    public long MaxRequestBodyBytes { get; set; } = 4 << 20;

    /// <summary>
    /// This replica's name, sent on every response as <c>LookupDecode-Replica</c> (which replica behind a load balancer
    /// answered); default: host name and process id.
    /// </summary>
    public string? ReplicaName { get; set; }

    /// <summary>Seconds a refused client is told to wait (<c>Retry-After</c> on 429 and 503). Default 1.</summary>
    public int RetryAfterSeconds { get; set; } = 1;
}
