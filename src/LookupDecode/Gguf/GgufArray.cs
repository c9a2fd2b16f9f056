namespace LookupDecode.Gguf;

/// <summary>
/// A GGUF array value: its element type and the elements, held as a typed .NET array
/// (<c>byte[]</c>, <c>int[]</c>, <c>float[]</c>, <c>string[]</c>, <c>bool[]</c>, …).
/// </summary>
/// <param name="ElementType">Type of every element.</param>
/// <param name="Items">The elements.</param>
public sealed record GgufArray(GgufValueType ElementType, Array Items)
{
    /// <summary>Number of elements.</summary>
    public int Length => Items.Length;
}
