using LLama;
using LLama.Native;
using LookupDecode.Gguf;

namespace LookupDecode.Native;

/// <summary>Quantizes a GGUF model file through llama.cpp's <c>llama_model_quantize</c> (LLamaSharp's <see cref="LLamaQuantizer"/>).</summary>
internal static class NativeQuantizer
{
    public static void Quantize(string source, string destination, GgmlType type, int threads)
    {
        LlamaRuntime.EnsureLoaded();
        var fileType = type switch
        {
            GgmlType.Q8_0 => LLamaFtype.MOSTLY_Q8_0,
            GgmlType.Q4_0 => LLamaFtype.MOSTLY_Q4_0,
            GgmlType.F16 => LLamaFtype.MOSTLY_F16,
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "only F16, Q8_0 and Q4_0 are offered"),
        };

        // quantizeOutputTensor: true, as llama-quantize does by default.
        if (!LLamaQuantizer.Quantize(source, destination, fileType, threads, allowRequantize: true, quantizeOutputTensor: true))
        {
            throw new NativeBackendException($"llama.cpp failed to quantize '{source}' to {type}.");
        }
    }
}
