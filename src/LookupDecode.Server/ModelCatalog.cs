using LookupDecode.Hosting;
using Microsoft.Extensions.Options;

namespace LookupDecode.Server;

/// <summary>The one model this server serves and the names clients may call it by.</summary>
public sealed class ModelCatalog
{
    private readonly string _fileName;

    /// <summary>Created by DI.</summary>
    public ModelCatalog(IOptions<ServerOptions> server, IOptions<LookupDecodeOptions> engine)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(engine);
        _fileName = Path.GetFileName(engine.Value.ModelPath);
        Id = string.IsNullOrWhiteSpace(server.Value.ModelId) ? Path.GetFileNameWithoutExtension(engine.Value.ModelPath) : server.Value.ModelId;
        Created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    }

    /// <summary>The id <c>/v1/models</c> lists and replies carry.</summary>
    public string Id { get; }

    /// <summary>When the server started (Unix seconds), reported as the model's creation time.</summary>
    public long Created { get; }

    /// <summary>Whether a request's <c>"model"</c> names this model (its id or its file name).</summary>
    public bool Serves(string model) => string.Equals(model, Id, StringComparison.Ordinal) || string.Equals(model, _fileName, StringComparison.Ordinal);
}
