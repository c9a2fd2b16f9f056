namespace LookupDecode.Models;

/// <summary>Whether llama.cpp computes attention with its fused flash-attention kernel (llama.cpp's <c>-fa on|off|auto</c>).</summary>
public enum FlashAttention
{
    /// <summary>
    /// llama.cpp's choice (on where the backend supports it), except that a <see cref="KvCacheType.Q8_0"/> cache always
    /// gets it (a quantized V cache needs it) and a draft model's F16 context on heads under 32 wide goes without (there its
    /// per-position cost dominates).
    /// </summary>
    Auto,

    /// <summary>Always on.</summary>
    Enabled,

    /// <summary>Always off; not possible with a <see cref="KvCacheType.Q8_0"/> cache.</summary>
    Disabled,
}
