using System.Globalization;

namespace LookupDecode.Gguf;

/// <summary>
/// One GGUF metadata value. <see cref="Value"/> holds the matching .NET value: <c>byte</c>, <c>sbyte</c>,
/// <c>ushort</c>, <c>short</c>, <c>uint</c>, <c>int</c>, <c>float</c>, <c>bool</c>, <c>string</c>,
/// <c>ulong</c>, <c>long</c>, <c>double</c> or a <see cref="GgufArray"/>.
/// </summary>
/// <param name="Type">The GGUF type tag.</param>
/// <param name="Value">The value.</param>
public sealed record GgufMetadataValue(GgufValueType Type, object Value)
{
    /// <summary>Creates a string value.</summary>
    public static GgufMetadataValue Of(string value) => new(GgufValueType.String, value);

    /// <summary>Creates an unsigned 32-bit value.</summary>
    public static GgufMetadataValue Of(uint value) => new(GgufValueType.UInt32, value);

    /// <summary>Creates a signed 32-bit value.</summary>
    public static GgufMetadataValue Of(int value) => new(GgufValueType.Int32, value);

    /// <summary>Creates a 32-bit float value.</summary>
    public static GgufMetadataValue Of(float value) => new(GgufValueType.Float32, value);

    /// <summary>Creates a boolean value.</summary>
    public static GgufMetadataValue Of(bool value) => new(GgufValueType.Bool, value);

    /// <summary>Creates an array value.</summary>
    public static GgufMetadataValue Of(GgufArray value) => new(GgufValueType.Array, value);

    /// <summary>The value as a 64-bit integer when it is an integer of any width, otherwise <c>null</c>.</summary>
    public long? AsInt64() => IsIntegerType(Type) ? IntegerOf(Value) : null;

    /// <summary>True for the GGUF integer types of any width and sign.</summary>
    public static bool IsIntegerType(GgufValueType type)
        => type is GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.UInt16 or GgufValueType.Int16
            or GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.UInt64 or GgufValueType.Int64;

    /// <summary>
    /// A scalar or array element as a 64-bit integer when it is an integer of any width (a <c>ulong</c> above
    /// <see cref="long.MaxValue"/> does not fit and gives <c>null</c>), otherwise <c>null</c>.
    /// </summary>
    public static long? IntegerOf(object value) => value switch
    {
        byte number => number,
        sbyte number => number,
        ushort number => number,
        short number => number,
        uint number => number,
        int number => number,
        ulong number => number > long.MaxValue ? null : (long)number,
        long number => number,
        _ => null,
    };

    /// <summary>The value as a double when it is a number, otherwise <c>null</c>.</summary>
    public double? AsDouble() => Type switch
    {
        GgufValueType.Float32 => (float)Value,
        GgufValueType.Float64 => (double)Value,
        _ => AsInt64(),
    };

    /// <summary>The value as a string when it is one, otherwise <c>null</c>.</summary>
    public string? AsString() => Value as string;

    /// <summary>The value as an array when it is one, otherwise <c>null</c>.</summary>
    public GgufArray? AsArray() => Value as GgufArray;

    /// <inheritdoc />
    public override string ToString() => Value switch
    {
        GgufArray array => $"[{array.ElementType} × {array.Length}]",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => Value.ToString() ?? string.Empty,
    };
}
