using System.Buffers.Binary;
using System.Text;
using LookupDecode.Files;

namespace LookupDecode.Drafting.Suffix;

/// <summary>
/// Suffix memories per key (a model, a tenant, a conversation template — whatever outputs should be drafted from
/// together), shared by the sessions of a process. At most <see cref="MaxKeys"/> memories of <see cref="CapacityPerKey"/>
/// tokens each: the least recently used key is dropped first, so the store never holds more than
/// <see cref="MaxBytes"/>. Saved and loaded in a small binary format (<see cref="Save"/>); a damaged file is a
/// <see cref="SuffixMemoryFormatException"/> naming the byte offset. Thread-safe.
/// </summary>
public sealed class SuffixMemoryStore
{
    private static readonly byte[] Magic = "LDSM"u8.ToArray();
    private const uint Version = 1;
    private const int MaxKeyBytes = 4096;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LinkedListNode<(string Key, SuffixMemory Memory)>> _byKey = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Key, SuffixMemory Memory)> _recency = new();

    /// <summary>Creates an empty store.</summary>
    /// <param name="capacityPerKey">Tokens per key's memory (64 … 2^22). Default 2^16 (≤ 42 MB).</param>
    /// <param name="maxKeys">Keys held before the least recently used is dropped. Default 8.</param>
    public SuffixMemoryStore(int capacityPerKey = 1 << 16, int maxKeys = 8)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacityPerKey, 64);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacityPerKey, SuffixMemory.MaxCapacity);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxKeys, 1);
        CapacityPerKey = capacityPerKey;
        MaxKeys = maxKeys;
    }

    /// <summary>Tokens each key's memory holds at most.</summary>
    public int CapacityPerKey { get; }

    /// <summary>Keys held at most.</summary>
    public int MaxKeys { get; }

    /// <summary>Upper bound of the store's memory use: <see cref="MaxKeys"/> full memories.</summary>
    public long MaxBytes => (long)MaxKeys * CapacityPerKey * SuffixMemory.BytesPerToken;

    /// <summary>Keys held now, most recently used first.</summary>
    public IReadOnlyList<string> Keys
    {
        get
        {
            lock (_gate)
            {
                return [.. _recency.Select(entry => entry.Key)];
            }
        }
    }

    /// <summary>The memory of <paramref name="key"/>, created empty if new (which may drop the least recently used key).</summary>
    public SuffixMemory Get(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_gate)
        {
            if (_byKey.TryGetValue(key, out var node))
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                return node.Value.Memory;
            }

            var memory = new SuffixMemory(CapacityPerKey);
            _byKey[key] = _recency.AddFirst((key, memory));
            while (_recency.Count > MaxKeys)
            {
                _byKey.Remove(_recency.Last!.Value.Key);
                _recency.RemoveLast();
            }

            return memory;
        }
    }

    /// <summary>
    /// Writes every key's outputs: <c>"LDSM"</c>, version 1, key count, then per key its UTF-8 length and bytes, its output
    /// count, and per output its token count and tokens (all little-endian 32-bit). Written atomically.
    /// </summary>
    public void Save(string path)
    {
        List<(string Key, IReadOnlyList<int[]> Outputs)> snapshot;
        lock (_gate)
        {
            snapshot = [.. _recency.Reverse().Select(entry => (entry.Key, entry.Memory.Outputs()))];
        }

        SafeFiles.WriteAtomically(path, "suffix memory", stream =>
        {
            var buffered = new BufferedStream(stream, 1 << 16);
            var word = new byte[4];
            void Write(uint value)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(word, value);
                buffered.Write(word);
            }

            buffered.Write(Magic);
            Write(Version);
            Write((uint)snapshot.Count);
            foreach (var (key, outputs) in snapshot)
            {
                var keyBytes = Encoding.UTF8.GetBytes(key);
                Write((uint)keyBytes.Length);
                buffered.Write(keyBytes);
                Write((uint)outputs.Count);
                foreach (var output in outputs)
                {
                    Write((uint)output.Length);
                    foreach (var token in output)
                    {
                        Write((uint)token);
                    }
                }
            }

            buffered.Flush();
        });
    }

    /// <summary>Reads a store <see cref="Save"/> wrote; every field is checked against the file's length before it is trusted.</summary>
    /// <exception cref="SuffixMemoryFormatException">The file is not a valid suffix memory.</exception>
    public static SuffixMemoryStore Load(string path, int capacityPerKey = 1 << 16, int maxKeys = 8)
    {
        SafeFiles.RequireInput(path, "suffix memory");
        // A file holds each key's outputs once; more than every key's full capacity (plus framing) is not one of ours.
        var limit = Math.Min(int.MaxValue, 64 + ((long)maxKeys * (MaxKeyBytes + 8 + (8L * capacityPerKey))));
        var length = new FileInfo(path).Length;
        if (length > limit)
        {
            throw new SuffixMemoryFormatException(path, 0, $"the file holds {length} bytes, more than {maxKeys} memories of {capacityPerKey} tokens can ({limit})");
        }

        using var stream = SafeFiles.OpenRead(path, "suffix memory");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return Load(bytes, path, capacityPerKey, maxKeys);
    }

    private static uint Read(ReadOnlySpan<byte> bytes, ref int offset, string name, string field)
    {
        if (bytes.Length - offset < 4)
        {
            throw new SuffixMemoryFormatException(name, offset, $"the file ends inside {field} (truncated)");
        }

        var value = BinaryPrimitives.ReadUInt32LittleEndian(bytes[offset..]);
        offset += 4;
        return value;
    }

    /// <summary>Reads a store from <paramref name="bytes"/>; <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="SuffixMemoryFormatException">The data is not a valid suffix memory.</exception>
    public static SuffixMemoryStore Load(ReadOnlySpan<byte> bytes, string name, int capacityPerKey = 1 << 16, int maxKeys = 8)
    {
        var store = new SuffixMemoryStore(capacityPerKey, maxKeys);
        var offset = 0;

        if (bytes.Length < 4 || !bytes[..4].SequenceEqual(Magic))
        {
            throw new SuffixMemoryFormatException(name, 0, "it does not start with 'LDSM'");
        }

        offset = 4;
        var version = Read(bytes, ref offset, name, "the version");
        if (version != Version)
        {
            throw new SuffixMemoryFormatException(name, 4, $"version {version} is not {Version}");
        }

        var keys = Read(bytes, ref offset, name, "the key count");
        if (keys > (uint)(bytes.Length - offset) / 8)
        {
            throw new SuffixMemoryFormatException(name, offset - 4, $"{keys} keys cannot fit in the {bytes.Length - offset} bytes left");
        }

        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        for (var k = 0; k < keys; k++)
        {
            var keyOffset = offset;
            var keyLength = Read(bytes, ref offset, name, "a key's length");
            if (keyLength > MaxKeyBytes || keyLength > bytes.Length - offset)
            {
                throw new SuffixMemoryFormatException(name, keyOffset, $"a key of {keyLength} bytes (at most {MaxKeyBytes}, within the file)");
            }

            string key;
            try
            {
                key = utf8.GetString(bytes.Slice(offset, (int)keyLength));
            }
            catch (DecoderFallbackException)
            {
                throw new SuffixMemoryFormatException(name, offset, "a key is not valid UTF-8");
            }

            offset += (int)keyLength;
            if (store._byKey.ContainsKey(key))
            {
                throw new SuffixMemoryFormatException(name, keyOffset, $"key '{key}' appears twice");
            }

            var memory = store.Get(key);
            var outputs = Read(bytes, ref offset, name, "an output count");
            if (outputs > (uint)(bytes.Length - offset) / 4)
            {
                throw new SuffixMemoryFormatException(name, offset - 4, $"{outputs} outputs cannot fit in the {bytes.Length - offset} bytes left");
            }

            for (var o = 0; o < outputs; o++)
            {
                var outputOffset = offset;
                var length = Read(bytes, ref offset, name, "an output's length");
                if (length > (uint)(bytes.Length - offset) / 4)
                {
                    throw new SuffixMemoryFormatException(name, outputOffset, $"an output of {length} tokens cannot fit in the {bytes.Length - offset} bytes left");
                }

                var tokens = new int[length];
                for (var i = 0; i < tokens.Length; i++)
                {
                    var token = BinaryPrimitives.ReadInt32LittleEndian(bytes[offset..]);
                    if (token < 0)
                    {
                        throw new SuffixMemoryFormatException(name, offset, $"token {token} is negative");
                    }

                    tokens[i] = token;
                    offset += 4;
                }

                memory.Add(tokens);
            }
        }

        if (offset != bytes.Length)
        {
            throw new SuffixMemoryFormatException(name, offset, $"{bytes.Length - offset} bytes follow the last key");
        }

        return store;
    }
}
