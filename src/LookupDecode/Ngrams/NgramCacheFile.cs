using System.Buffers.Binary;

namespace LookupDecode.Ngrams;

/// <summary>
/// llama.cpp's lookup cache file format (<c>common_ngram_cache_save</c>/<c>_load</c>): no header, records to the
/// end of the file, all fields little-endian int32: <c>key[4] ntokens (token count)×ntokens</c>, unused key slots -1.
/// Reading checks every field that llama.cpp would trust (it aborts the process on a truncated record or a
/// count ≤ 0) and refuses duplicates it would silently drop.
/// </summary>
internal static class NgramCacheFile
{
    private const int KeyBytes = NgramCache.MaxNgramSize * sizeof(int);
    private const int PairBytes = 2 * sizeof(int);

    public static NgramCache Read(string path)
    {
        using var stream = OpenForRead(path);
        return Read(stream, path);
    }

    public static NgramCache Read(Stream stream, string path)
    {
        var length = stream.Length - stream.Position;
        var cache = new NgramCache((int)Math.Min(length / (KeyBytes + sizeof(int) + PairBytes) + 1, 1 << 24));
        var buffer = new byte[1 << 16];
        var reader = new RecordReader(stream, buffer, path, length);
        Span<int> slots = stackalloc int[NgramCache.MaxNgramSize];
        var tokens = new int[64];
        var counts = new int[64];
        var seen = new HashSet<int>();
        while (reader.Position < length)
        {
            var recordOffset = reader.Position;
            for (var i = 0; i < slots.Length; i++)
            {
                slots[i] = reader.ReadInt32("n-gram key");
            }

            var key = new NgramKey(slots[0], slots[1], slots[2], slots[3]);
            if (!key.IsWellFormed)
            {
                throw new LookupCacheFormatException(path, recordOffset, $"n-gram key {key} is not 1 to 4 token ids followed by -1 slots");
            }

            if (cache.TryGetFollowers(key, out _))
            {
                throw new LookupCacheFormatException(path, recordOffset, $"n-gram {key} appears in a second record (llama.cpp would silently drop it)");
            }

            var countOffset = reader.Position;
            var followerCount = reader.ReadInt32("follower count");
            if (followerCount <= 0)
            {
                throw new LookupCacheFormatException(path, countOffset, $"n-gram {key} has {followerCount} followers (must be > 0)");
            }

            if (followerCount > (length - reader.Position) / PairBytes)
            {
                throw new LookupCacheFormatException(path, countOffset,
                    $"n-gram {key} claims {followerCount} followers but only {length - reader.Position} bytes remain (truncated?)");
            }

            EnsureCapacity(ref tokens, ref counts, followerCount);
            for (var i = 0; i < followerCount; i++)
            {
                var pairOffset = reader.Position;
                var token = reader.ReadInt32("follower token");
                var count = reader.ReadInt32("follower count");
                if (token < 0)
                {
                    throw new LookupCacheFormatException(path, pairOffset, $"n-gram {key} has follower token {token} (must be >= 0)");
                }

                if (count <= 0)
                {
                    throw new LookupCacheFormatException(path, pairOffset + sizeof(int), $"n-gram {key} follower {token} has count {count} (must be > 0)");
                }

                tokens[i] = token;
                counts[i] = count;
            }

            if (FirstRepeat(tokens.AsSpan(0, followerCount), seen) is { } repeat)
            {
                throw new LookupCacheFormatException(path, countOffset + sizeof(int) + (repeat * PairBytes), $"n-gram {key} lists follower {tokens[repeat]} twice");
            }

            cache.AddFollowers(key, tokens.AsSpan(0, followerCount), counts.AsSpan(0, followerCount));
        }

        return cache;
    }

    public static void Write(NgramCache cache, string path)
        => Files.SafeFiles.WriteAtomically(path, "lookup cache", stream => Write(cache, stream));

    public static void Write(NgramCache cache, Stream stream)
    {
        var buffered = new BufferedStream(stream, 1 << 16);
        var record = new byte[KeyBytes + sizeof(int)];
        var pair = new byte[PairBytes];
        for (var index = 0; index < cache.Count; index++)
        {
            var key = cache.KeyAt(index);
            var followers = cache.FollowersAt(index);
            for (var slot = 0; slot < NgramCache.MaxNgramSize; slot++)
            {
                BinaryPrimitives.WriteInt32LittleEndian(record.AsSpan(slot * sizeof(int)), key[slot]);
            }

            BinaryPrimitives.WriteInt32LittleEndian(record.AsSpan(KeyBytes), followers.Length);
            buffered.Write(record);
            for (var i = 0; i < followers.Length; i++)
            {
                BinaryPrimitives.WriteInt32LittleEndian(pair, followers.Tokens[i]);
                BinaryPrimitives.WriteInt32LittleEndian(pair.AsSpan(sizeof(int)), followers.Counts[i]);
                buffered.Write(pair);
            }
        }

        buffered.Flush();
    }

    private static void EnsureCapacity(ref int[] tokens, ref int[] counts, int length)
    {
        if (length > tokens.Length)
        {
            tokens = new int[Math.Max(length, tokens.Length * 2)];
            counts = new int[tokens.Length];
        }
    }

    /// <summary>Index of the first token that appeared earlier in <paramref name="tokens"/>, or <c>null</c>.</summary>
    private static int? FirstRepeat(ReadOnlySpan<int> tokens, HashSet<int> seen)
    {
        if (tokens.Length <= 16)
        {
            for (var i = 1; i < tokens.Length; i++)
            {
                if (tokens[..i].Contains(tokens[i]))
                {
                    return i;
                }
            }

            return null;
        }

        seen.Clear();
        for (var i = 0; i < tokens.Length; i++)
        {
            if (!seen.Add(tokens[i]))
            {
                return i;
            }
        }

        return null;
    }

    private static FileStream OpenForRead(string path)
    {
        try
        {
            return Files.SafeFiles.OpenRead(path, "lookup cache", bufferSize: 1);
        }
        catch (FileNotFoundException)
        {
            throw;
        }
        catch (DirectoryNotFoundException exception)
        {
            throw new FileNotFoundException($"Lookup cache '{path}' does not exist.", path, exception);
        }
    }

    /// <summary>Buffered little-endian int32 reads that report the offset of a truncated field.</summary>
    private sealed class RecordReader(Stream stream, byte[] buffer, string path, long length)
    {
        private int _start;
        private int _end;

        public long Position { get; private set; }

        public int ReadInt32(string field)
        {
            if (_end - _start < sizeof(int))
            {
                Refill(field);
            }

            var value = BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(_start));
            _start += sizeof(int);
            Position += sizeof(int);
            return value;
        }

        private void Refill(string field)
        {
            var left = _end - _start;
            Array.Copy(buffer, _start, buffer, 0, left);
            _start = 0;
            _end = left;
            while (_end < sizeof(int))
            {
                var read = stream.Read(buffer, _end, buffer.Length - _end);
                if (read == 0)
                {
                    throw new LookupCacheFormatException(path, Position,
                        $"the file ends inside a {field} ({length - Position} of {sizeof(int)} bytes present): truncated");
                }

                _end += read;
            }
        }
    }
}
