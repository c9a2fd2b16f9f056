using LookupDecode.Gguf;

namespace LookupDecode.Models.Gate;

/// <summary>
/// Tensor types llama.cpp does not check at load but cannot compute with: integer and F64 weights (no matrix
/// product or row lookup for them: the CPU kernels abort, or silently read integers as floats), and non-F32
/// one-dimensional tensors (norms, biases, rope factors), which the element-wise kernels and rope require as F32.
/// </summary>
internal static class TensorRules
{
    public static void Check(GgufFile file, string architecture)
    {
        var strict = Architectures.IsUniformTransformer(architecture);
        foreach (var tensor in file.Tensors)
        {
            var isWeight = tensor.Name.EndsWith(".weight", StringComparison.Ordinal) || tensor.Name.EndsWith(".bias", StringComparison.Ordinal);
            if ((strict || isWeight) && tensor.Type is GgmlType.I8 or GgmlType.I16 or GgmlType.I32 or GgmlType.I64 or GgmlType.F64)
            {
                throw Refuse(file, tensor, $"is {tensor.Type}; llama.cpp computes with float and quantized weights only (an integer tensor aborts the process or reads as garbage)");
            }

            var isRopeFactors = tensor.Name.StartsWith("rope_freqs", StringComparison.Ordinal) || tensor.Name.StartsWith("rope_factors", StringComparison.Ordinal)
                || tensor.Name.Contains(".rope_freqs", StringComparison.Ordinal);
            if (tensor.Type != GgmlType.F32 && (isRopeFactors || (strict && isWeight && IsVector(tensor))))
            {
                throw Refuse(file, tensor, $"is a one-dimensional {tensor.Type} tensor; llama.cpp needs norms, biases and rope factors in F32");
            }
        }
    }

    private static bool IsVector(GgufTensorInfo tensor) => tensor.Dimensions.Skip(1).All(extent => extent == 1);

    private static GgufFormatException Refuse(GgufFile file, GgufTensorInfo tensor, string rule)
        => new(file.Path, file.DataOffset + tensor.Offset, $"tensor '{tensor.Name}' {rule}");
}
