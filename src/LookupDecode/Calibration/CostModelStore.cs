using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace LookupDecode.Calibration;

/// <summary>
/// Stores measured cost curves in the user's cache directory, one file per (model file, backend, threads, batch size,
/// KV cache type):
/// the model is identified by its size, modification time and a hash of its first 64 KiB (header and metadata), so a
/// changed file is measured again. Files are written atomically.
/// </summary>
public static class CostModelStore
{
    /// <summary>
    /// <c>$LOOKUPDECODE_CACHE_DIR/cost-models</c>, else the platform's user cache directory
    /// (<c>$XDG_CACHE_HOME</c> or <c>~/.cache</c> on Linux, LocalApplicationData elsewhere) + <c>lookupdecode/cost-models</c>.
    /// </summary>
    public static string DefaultDirectory => Files.CacheDirectory.Of("cost-models");

    /// <summary>
    /// The context settings a stored curve is keyed by besides model, backend, threads and batch size: the KV cache type
    /// really used, and the flash-attention setting when it is not the default (so curves stored before it existed still match).
    /// </summary>
    public static string ContextSettings(Models.KvCacheType kvCacheType, Models.FlashAttention flashAttention)
        => flashAttention == Models.FlashAttention.Auto ? kvCacheType.ToString() : $"{kvCacheType}-fa-{flashAttention}";

    /// <summary>The file a curve for these settings is stored in.</summary>
    public static string PathFor(string directory, string modelPath, string backend, int threads, int batchSize, string kvCacheType = "")
    {
        var file = new FileInfo(modelPath);
        var head = new byte[Math.Min(65536, file.Length)];
        using (var stream = file.OpenRead())
        {
            stream.ReadExactly(head);
        }

        var identity = $"{file.Name}|{file.Length}|{file.LastWriteTimeUtc.Ticks}|{Convert.ToHexString(SHA256.HashData(head))}|{backend}|{threads}|{batchSize}|{kvCacheType}";
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..20];
        return Path.Combine(directory, $"{Path.GetFileNameWithoutExtension(file.Name)}-t{threads}-{key}.json");
    }

    /// <summary>Reads a stored curve, or null when there is none (or it is unreadable, which only costs a recalibration).</summary>
    public static DecodeCostCurve? TryLoad(string path) => TryLoad(path, out _);

    /// <summary>
    /// Reads a stored curve, or null when there is none or it is damaged (unreadable, not JSON, or not a sound curve:
    /// <see cref="DecodeCostCurve.Problem"/>); <paramref name="damage"/> then says what was wrong (null when the file is
    /// simply missing). A damaged store only costs a new measurement.
    /// </summary>
    public static DecodeCostCurve? TryLoad(string path, out string? damage)
    {
        damage = null;
        try
        {
            var kind = Files.SafeFiles.KindOf(path);
            if (kind == Files.FileKind.Missing)
            {
                return null;
            }

            if (kind != Files.FileKind.Regular)
            {
                damage = $"it is {Files.SafeFiles.Describe(kind)}, not a regular file";
                return null;
            }

            var curve = JsonSerializer.Deserialize<DecodeCostCurve>(File.ReadAllText(path));
            damage = curve is null ? "holds no curve" : curve.Problem();
            return damage is null ? curve : null;
        }
        catch (Exception exception) when (exception is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            damage = exception.Message;
            return null;
        }
    }

    /// <summary>Stores a curve (write to a temporary file, then rename).</summary>
    public static void Save(string path, DecodeCostCurve curve)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(curve, new JsonSerializerOptions { WriteIndented = true });
        Files.SafeFiles.WriteAtomically(path, "stored calibration", stream => stream.Write(json), createDirectory: true);
    }
}
