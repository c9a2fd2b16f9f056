using System.Buffers.Binary;

namespace LookupDecode.Hosting.Memory;

/// <summary>
/// One finished generation as replicas share it: who wrote it, the prompt length and the tokens (prompt then output).
/// Binary, little-endian: <c>"LDGR"</c>, version 1, 16-byte origin, prompt length, token count, tokens. Anything read
/// back is checked (sizes, token ids within the vocabulary) before it reaches a cache.
/// </summary>
internal sealed record GenerationRecord(Guid Origin, int PromptLength, int[] Tokens)
{
    /// <summary>Most tokens a record may hold (a generation longer than this is not shared).</summary>
    public const int MaxTokens = 1 << 18;

    /// <summary>Most bytes a record may take.</summary>
    public const int MaxBytes = HeaderBytes + MaxTokens * 4;

    private const uint Magic = 0x5247444C; // "LDGR"
    private const int Version = 1;
    private const int HeaderBytes = 4 + 4 + 16 + 4 + 4;

    public ReadOnlySpan<int> Output => Tokens.AsSpan(PromptLength);

    public byte[] ToBytes()
    {
        var bytes = new byte[HeaderBytes + Tokens.Length * 4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), Version);
        Origin.TryWriteBytes(bytes.AsSpan(8, 16));
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(24), PromptLength);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(28), Tokens.Length);
        for (var i = 0; i < Tokens.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(HeaderBytes + i * 4), Tokens[i]);
        }

        return bytes;
    }

    /// <summary>Reads a record, or explains in <paramref name="problem"/> why the bytes are not one for this vocabulary.</summary>
    public static GenerationRecord? TryRead(ReadOnlySpan<byte> bytes, int vocabularySize, out string? problem)
    {
        problem = null;
        if (bytes.Length < HeaderBytes || BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic)
        {
            problem = "not a generation record";
            return null;
        }

        if (BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]) != Version)
        {
            problem = "unknown record version";
            return null;
        }

        var promptLength = BinaryPrimitives.ReadInt32LittleEndian(bytes[24..]);
        var count = BinaryPrimitives.ReadInt32LittleEndian(bytes[28..]);
        if (count is < 0 or > MaxTokens || bytes.Length != HeaderBytes + count * 4 || promptLength < 0 || promptLength > count)
        {
            problem = $"sizes do not add up (prompt {promptLength}, tokens {count}, {bytes.Length} bytes)";
            return null;
        }

        var tokens = new int[count];
        for (var i = 0; i < count; i++)
        {
            tokens[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes[(HeaderBytes + i * 4)..]);
            if ((uint)tokens[i] >= (uint)vocabularySize)
            {
                problem = $"token id {tokens[i]} is outside the vocabulary of {vocabularySize}";
                return null;
            }
        }

        return new GenerationRecord(new Guid(bytes.Slice(8, 16)), promptLength, tokens);
    }
}
