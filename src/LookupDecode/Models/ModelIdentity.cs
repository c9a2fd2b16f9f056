using System.Security.Cryptography;
using System.Text;
using LookupDecode.Gguf;

namespace LookupDecode.Models;

/// <summary>
/// What makes a model file the same file for a cached check: its size, modification time and a hash of its header
/// (GGUF header, metadata and tensor directory, up to 32 MiB), plus the settings the check ran with.
/// </summary>
internal sealed record ModelIdentity(string Key)
{
    private const int MaxHeaderBytes = 32 << 20;

    public static ModelIdentity Of(string path, GgufFile file, string settings = "")
    {
        var info = new FileInfo(path);
        var headerLength = (int)Math.Min(Math.Min(file.DataOffset, info.Length), MaxHeaderBytes);
        byte[] headerHash;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            var buffer = new byte[1 << 16];
            var remaining = headerLength;
            while (remaining > 0)
            {
                var read = stream.Read(buffer, 0, Math.Min(buffer.Length, remaining));
                if (read == 0)
                {
                    break;
                }

                hash.AppendData(buffer, 0, read);
                remaining -= read;
            }

            headerHash = hash.GetHashAndReset();
        }

        var identity = $"{info.Length}|{info.LastWriteTimeUtc.Ticks}|{Convert.ToHexString(headerHash)}|{settings}";
        return new ModelIdentity($"{Path.GetFileNameWithoutExtension(info.Name)}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..24]}");
    }
}
