using System.Buffers.Binary;
using System.Text;

namespace LookupDecode.Gguf;

/// <summary>
/// Little-endian reads from a file that never trust a length: every read first checks that the bytes exist,
/// and a short file becomes a <see cref="GgufFormatException"/> naming the offset, never an
/// <see cref="EndOfStreamException"/> or a huge allocation.
/// </summary>
internal sealed class BoundedBinaryReader : IDisposable
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Stream _stream;
    private readonly string _path;
    private readonly byte[] _scratch = new byte[8];

    public BoundedBinaryReader(string path, Stream stream)
    {
        _path = path;
        _stream = stream;
        Length = stream.Length;
    }

    public long Length { get; }

    public long Position { get; private set; }

    public long Remaining => Length - Position;

    public GgufFormatException Error(long offset, string rule) => new(_path, offset, rule);

    public void Require(long byteCount, string what)
    {
        if (byteCount < 0 || byteCount > Remaining)
        {
            throw Error(Position, $"file ends inside {what}: needs {byteCount} more bytes, {Remaining} left");
        }
    }

    public byte ReadByte(string what) => Fill(1, what)[0];

    public ushort ReadUInt16(string what) => BinaryPrimitives.ReadUInt16LittleEndian(Fill(2, what));

    public uint ReadUInt32(string what) => BinaryPrimitives.ReadUInt32LittleEndian(Fill(4, what));

    public ulong ReadUInt64(string what) => BinaryPrimitives.ReadUInt64LittleEndian(Fill(8, what));

    public float ReadSingle(string what) => BinaryPrimitives.ReadSingleLittleEndian(Fill(4, what));

    public double ReadDouble(string what) => BinaryPrimitives.ReadDoubleLittleEndian(Fill(8, what));

    /// <summary>Reads a GGUF string (u64 length, bytes) of at most <paramref name="maxBytes"/> bytes.</summary>
    public string ReadString(string what, long maxBytes, bool strictUtf8)
    {
        var start = Position;
        var length = ReadUInt64($"the length of {what}");
        if (length > (ulong)maxBytes)
        {
            throw Error(start, $"{what} claims {length} bytes, more than the limit of {maxBytes}");
        }

        Require((long)length, what);
        var bytes = new byte[(int)length];
        _stream.ReadExactly(bytes);
        Position += bytes.Length;
        try
        {
            return strictUtf8 ? StrictUtf8.GetString(bytes) : Encoding.UTF8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Error(start, $"{what} is not valid UTF-8");
        }
    }

    public void Skip(long byteCount, string what)
    {
        Require(byteCount, what);
        _stream.Seek(byteCount, SeekOrigin.Current);
        Position += byteCount;
    }

    public void Dispose() => _stream.Dispose();

    private ReadOnlySpan<byte> Fill(int count, string what)
    {
        Require(count, what);
        _stream.ReadExactly(_scratch, 0, count);
        Position += count;
        return _scratch.AsSpan(0, count);
    }
}
