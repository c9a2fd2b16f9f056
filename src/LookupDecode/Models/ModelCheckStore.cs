using System.Text.Json;
using LookupDecode.Files;

namespace LookupDecode.Models;

/// <summary>
/// Child-process verdicts, one small JSON file per <see cref="ModelIdentity"/>. A damaged or unreadable entry is
/// treated as absent (the file is checked again); a store that cannot be written only costs a check next time.
/// </summary>
internal sealed class ModelCheckStore(string directory)
{
    public static string DefaultDirectory => CacheDirectory.Of("model-checks");

    public bool TryGet(ModelIdentity identity, out ModelCheckVerdict verdict)
    {
        verdict = null!;
        var path = PathOf(identity);
        try
        {
            if (SafeFiles.KindOf(path) != FileKind.Regular)
            {
                return false;
            }

            verdict = JsonSerializer.Deserialize<ModelCheckVerdict>(File.ReadAllBytes(path))!;
            return verdict is not null;
        }
        catch (Exception exception) when (exception is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return false;
        }
    }

    public void Put(ModelIdentity identity, ModelCheckVerdict verdict)
    {
        try
        {
            var json = JsonSerializer.SerializeToUtf8Bytes(verdict);
            SafeFiles.WriteAtomically(PathOf(identity), "model check", stream => stream.Write(json), createDirectory: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or UnsafeFileException)
        {
            // Not stored: the next load checks again.
        }
    }

    private string PathOf(ModelIdentity identity) => Path.Combine(directory, identity.Key + ".json");
}
