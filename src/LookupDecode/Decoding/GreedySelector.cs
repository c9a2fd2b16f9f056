using System.Numerics.Tensors;
using LookupDecode.Native;

namespace LookupDecode.Decoding;

/// <summary>
/// Argmax over the logits, first index on ties — the same choice as llama.cpp's greedy sampler.
/// Vectorised; allocates nothing.
/// </summary>
internal sealed class GreedySelector(NativeContext context) : ITokenSelector
{
    public int Select(int batchIndex) => TensorPrimitives.IndexOfMax(context.Logits(batchIndex));

    public void Accept(int token)
    {
    }

    public void Dispose()
    {
    }
}
