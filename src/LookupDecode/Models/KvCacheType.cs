namespace LookupDecode.Models;

/// <summary>Element type of the KV cache.</summary>
public enum KvCacheType
{
    /// <summary>
    /// <see cref="Q8_0"/> when the model's attention heads are a multiple of 32 wide (the Q8_0 block), else <see cref="F16"/>.
    /// Chosen for exactness: with an F16 cache, llama.cpp's CPU backend switches single-token decoding to a split-KV
    /// attention once the cache holds 512 cells (about 256 tokens), whose summation order differs from the batched
    /// verification's, so lookup output could drift from plain decoding after that point; with Q8_0 both take the same path.
    /// </summary>
    Auto,

    /// <summary>16-bit floats: llama.cpp's default (use it to match llama.cpp's own output bit for bit).</summary>
    F16,

    /// <summary>8-bit blocks of 32: half the memory; needs head widths that are multiples of 32.</summary>
    Q8_0,
}
