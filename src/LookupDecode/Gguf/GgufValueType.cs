namespace LookupDecode.Gguf;

/// <summary>Type tags of GGUF metadata values, as numbered by the GGUF specification.</summary>
public enum GgufValueType : uint
{
    /// <summary>Unsigned 8-bit integer.</summary>
    UInt8 = 0,
    /// <summary>Signed 8-bit integer.</summary>
    Int8 = 1,
    /// <summary>Unsigned 16-bit integer.</summary>
    UInt16 = 2,
    /// <summary>Signed 16-bit integer.</summary>
    Int16 = 3,
    /// <summary>Unsigned 32-bit integer.</summary>
    UInt32 = 4,
    /// <summary>Signed 32-bit integer.</summary>
    Int32 = 5,
    /// <summary>32-bit IEEE 754 float.</summary>
    Float32 = 6,
    /// <summary>Boolean stored as one byte, 0 or 1.</summary>
    Bool = 7,
    /// <summary>UTF-8 string with a 64-bit length prefix.</summary>
    String = 8,
    /// <summary>Array: element type, 64-bit count, elements.</summary>
    Array = 9,
    /// <summary>Unsigned 64-bit integer.</summary>
    UInt64 = 10,
    /// <summary>Signed 64-bit integer.</summary>
    Int64 = 11,
    /// <summary>64-bit IEEE 754 float.</summary>
    Float64 = 12,
}
