using LookupDecode.Gguf;
using LookupDecode.Models;
using LookupDecode.Native;

namespace LookupDecode.Synthesis;

/// <summary>
/// Writes a model as F16 and, for a quantized target type, quantizes it through llama.cpp's quantizer into the final
/// file. The final file appears only when complete; the F16 intermediate is removed.
/// </summary>
internal static class QuantizedOutput
{
    public static void Write(string path, GgmlType type, Action<string, IProgress<double>?> writeF16, IProgress<ModelWriteProgress>? progress)
    {
        if (type is not (GgmlType.F16 or GgmlType.Q8_0 or GgmlType.Q4_0 or GgmlType.F32))
        {
            throw new InvalidOptionException("--type", $"must be f16, q8_0 or q4_0, was {type}");
        }

        var writing = progress is null ? null : new Progress<double>(fraction => progress.Report(new("writing", fraction)));
        if (type is GgmlType.F16 or GgmlType.F32)
        {
            writeF16(path, writing);
            return;
        }

        var full = LookupDecode.Files.SafeFiles.ResolveOutput(path, "model");
        var intermediate = full + ".f16.tmp";
        var quantized = full + ".quantized.tmp";
        try
        {
            writeF16(intermediate, writing);
            progress?.Report(new("quantizing", double.NaN));
            NativeQuantizer.Quantize(intermediate, quantized, type, Math.Clamp(Environment.ProcessorCount, 1, 16));
            File.Move(quantized, full, overwrite: true);
            progress?.Report(new("quantizing", 1));
        }
        finally
        {
            File.Delete(intermediate);
            File.Delete(quantized);
        }
    }
}
