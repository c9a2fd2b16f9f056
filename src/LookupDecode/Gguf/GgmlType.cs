namespace LookupDecode.Gguf;

/// <summary>
/// Tensor element types of ggml (ggml.h <c>enum ggml_type</c>) that LookupDecode knows the storage size of.
/// Gaps in the numbering are types ggml removed from GGUF files.
/// </summary>
public enum GgmlType : uint
{
    /// <summary>32-bit float.</summary>
    F32 = 0,
    /// <summary>16-bit IEEE half.</summary>
    F16 = 1,
    /// <summary>4-bit blocks of 32 with one f16 scale.</summary>
    Q4_0 = 2,
    /// <summary>4-bit blocks of 32 with f16 scale and minimum.</summary>
    Q4_1 = 3,
    /// <summary>5-bit blocks of 32 with one f16 scale.</summary>
    Q5_0 = 6,
    /// <summary>5-bit blocks of 32 with f16 scale and minimum.</summary>
    Q5_1 = 7,
    /// <summary>8-bit blocks of 32 with one f16 scale.</summary>
    Q8_0 = 8,
    /// <summary>8-bit blocks of 32 with f16 scale and sum.</summary>
    Q8_1 = 9,
    /// <summary>2-bit k-quant super-blocks of 256.</summary>
    Q2_K = 10,
    /// <summary>3-bit k-quant super-blocks of 256.</summary>
    Q3_K = 11,
    /// <summary>4-bit k-quant super-blocks of 256.</summary>
    Q4_K = 12,
    /// <summary>5-bit k-quant super-blocks of 256.</summary>
    Q5_K = 13,
    /// <summary>6-bit k-quant super-blocks of 256.</summary>
    Q6_K = 14,
    /// <summary>8-bit k-quant super-blocks of 256 (intermediate type).</summary>
    Q8_K = 15,
    /// <summary>i-quant, 2.06 bits per weight.</summary>
    IQ2_XXS = 16,
    /// <summary>i-quant, 2.31 bits per weight.</summary>
    IQ2_XS = 17,
    /// <summary>i-quant, 3.06 bits per weight.</summary>
    IQ3_XXS = 18,
    /// <summary>i-quant, 1.56 bits per weight.</summary>
    IQ1_S = 19,
    /// <summary>4-bit non-linear blocks of 32.</summary>
    IQ4_NL = 20,
    /// <summary>i-quant, 3.44 bits per weight.</summary>
    IQ3_S = 21,
    /// <summary>i-quant, 2.5 bits per weight.</summary>
    IQ2_S = 22,
    /// <summary>i-quant, 4.25 bits per weight.</summary>
    IQ4_XS = 23,
    /// <summary>8-bit integer.</summary>
    I8 = 24,
    /// <summary>16-bit integer.</summary>
    I16 = 25,
    /// <summary>32-bit integer.</summary>
    I32 = 26,
    /// <summary>64-bit integer.</summary>
    I64 = 27,
    /// <summary>64-bit float.</summary>
    F64 = 28,
    /// <summary>i-quant, 1.75 bits per weight.</summary>
    IQ1_M = 29,
    /// <summary>bfloat16.</summary>
    BF16 = 30,
    /// <summary>Ternary, 1.69 bits per weight.</summary>
    TQ1_0 = 34,
    /// <summary>Ternary, 2.06 bits per weight.</summary>
    TQ2_0 = 35,
    /// <summary>Microscaling FP4, blocks of 32.</summary>
    MXFP4 = 39,
}

/// <summary>Storage geometry of <see cref="GgmlType"/> values: elements per block and bytes per block.</summary>
public static class GgmlTypeInfo
{
    /// <summary>
    /// Elements per block and bytes per block of <paramref name="type"/>, or <c>false</c> when the type is not
    /// one whose layout LookupDecode knows (mirrors ggml's <c>type_traits</c> table).
    /// </summary>
    public static bool TryGetLayout(GgmlType type, out int blockSize, out int bytesPerBlock)
    {
        (blockSize, bytesPerBlock) = type switch
        {
            GgmlType.F32 => (1, 4),
            GgmlType.F16 => (1, 2),
            GgmlType.Q4_0 => (32, 18),
            GgmlType.Q4_1 => (32, 20),
            GgmlType.Q5_0 => (32, 22),
            GgmlType.Q5_1 => (32, 24),
            GgmlType.Q8_0 => (32, 34),
            GgmlType.Q8_1 => (32, 36),
            GgmlType.Q2_K => (256, 84),
            GgmlType.Q3_K => (256, 110),
            GgmlType.Q4_K => (256, 144),
            GgmlType.Q5_K => (256, 176),
            GgmlType.Q6_K => (256, 210),
            GgmlType.Q8_K => (256, 292),
            GgmlType.IQ2_XXS => (256, 66),
            GgmlType.IQ2_XS => (256, 74),
            GgmlType.IQ3_XXS => (256, 98),
            GgmlType.IQ1_S => (256, 50),
            GgmlType.IQ4_NL => (32, 18),
            GgmlType.IQ3_S => (256, 110),
            GgmlType.IQ2_S => (256, 82),
            GgmlType.IQ4_XS => (256, 136),
            GgmlType.I8 => (1, 1),
            GgmlType.I16 => (1, 2),
            GgmlType.I32 => (1, 4),
            GgmlType.I64 => (1, 8),
            GgmlType.F64 => (1, 8),
            GgmlType.IQ1_M => (256, 56),
            GgmlType.BF16 => (1, 2),
            GgmlType.TQ1_0 => (256, 54),
            GgmlType.TQ2_0 => (256, 66),
            GgmlType.MXFP4 => (32, 17),
            _ => (0, 0),
        };
        return blockSize > 0;
    }
}
