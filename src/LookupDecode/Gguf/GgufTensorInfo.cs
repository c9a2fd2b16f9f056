namespace LookupDecode.Gguf;

/// <summary>Description of one tensor in a GGUF file (its data is not read).</summary>
/// <param name="Name">Tensor name, unique in the file.</param>
/// <param name="Dimensions">Extent of each dimension, innermost (ggml <c>ne[0]</c>) first.</param>
/// <param name="Type">Element type.</param>
/// <param name="Offset">Offset of the data, relative to the start of the data section.</param>
/// <param name="ByteSize">Bytes of data the tensor occupies.</param>
public sealed record GgufTensorInfo(string Name, long[] Dimensions, GgmlType Type, long Offset, long ByteSize)
{
    /// <summary>Number of elements (product of <see cref="Dimensions"/>).</summary>
    public long ElementCount
    {
        get
        {
            long count = 1;
            foreach (var extent in Dimensions)
            {
                count *= extent;
            }

            return count;
        }
    }
}
