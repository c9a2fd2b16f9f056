namespace LookupDecode.Models;

/// <summary>
/// How a model is loaded and how big each of its inference contexts is. Immutable; check with
/// <see cref="Validate"/> (done by <see cref="LlamaModel.Load"/> before any native call).
/// </summary>
public sealed record ModelOptions
{
    /// <summary>Largest context <see cref="ContextSize"/> may ask for.</summary>
    public const int MaxContextSize = 1 << 20;

    /// <summary>Tokens of context per session (prompt + generated). Default 4096.</summary>
    public int ContextSize { get; init; } = 4096;

    /// <summary>Tokens llama.cpp processes per <c>llama_decode</c> call during prompt evaluation (capped at the context size). Default 512.</summary>
    public int BatchSize { get; init; } = 512;

    /// <summary>CPU threads for decoding; <c>null</c> uses every logical processor (capped at 16).</summary>
    public int? Threads { get; init; }

    /// <summary>Layers to offload to the GPU (0 = none, -1 = all). Only meaningful with a GPU backend.</summary>
    public int GpuLayers { get; init; }

    /// <summary>KV cache element type. Default <see cref="KvCacheType.Auto"/> (see there for why it is not llama.cpp's F16).</summary>
    public KvCacheType KvCacheType { get; init; } = KvCacheType.Auto;

    /// <summary>Flash attention. Default <see cref="Models.FlashAttention.Auto"/>.</summary>
    public FlashAttention FlashAttention { get; init; } = FlashAttention.Auto;

    /// <summary>Map the model file into memory instead of reading it (llama.cpp's default).</summary>
    public bool UseMemoryMap { get; init; } = true;

    /// <summary>How the file is checked before it is loaded into this process. Default <see cref="ModelCheckMode.Child"/>.</summary>
    public ModelCheckMode CheckMode { get; init; } = ModelCheckMode.Child;

    /// <summary>Longest the child-process check may take before the file is refused as hanging. Default 10 minutes.</summary>
    public TimeSpan CheckTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Batch size actually used: <see cref="BatchSize"/>, at most <see cref="ContextSize"/>.</summary>
    public int EffectiveBatchSize => Math.Min(BatchSize, ContextSize);

    /// <summary>Threads actually used: <see cref="Threads"/> or the machine's logical processor count.</summary>
    public int EffectiveThreads => Threads ?? Math.Clamp(Environment.ProcessorCount, 1, 16);

    /// <summary>Throws <see cref="InvalidOptionException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (ContextSize is < 16 or > MaxContextSize)
        {
            throw new InvalidOptionException(nameof(ContextSize), $"must be between 16 and {MaxContextSize}, was {ContextSize}");
        }

        if (BatchSize is < 1 or > MaxContextSize)
        {
            throw new InvalidOptionException(nameof(BatchSize), $"must be between 1 and {MaxContextSize}, was {BatchSize}");
        }

        if (Threads is < 1 or > 512)
        {
            throw new InvalidOptionException(nameof(Threads), $"must be between 1 and 512, was {Threads}");
        }

        if (!Enum.IsDefined(KvCacheType))
        {
            throw new InvalidOptionException(nameof(KvCacheType), $"unknown KV cache type {(int)KvCacheType}");
        }

        if (!Enum.IsDefined(FlashAttention))
        {
            throw new InvalidOptionException(nameof(FlashAttention), $"unknown flash attention setting {(int)FlashAttention}");
        }

        if (FlashAttention == FlashAttention.Disabled && KvCacheType == KvCacheType.Q8_0)
        {
            throw new InvalidOptionException(nameof(FlashAttention), "cannot be off with a Q8_0 KV cache: llama.cpp needs flash attention for a quantized V cache");
        }

        if (!Enum.IsDefined(CheckMode))
        {
            throw new InvalidOptionException(nameof(CheckMode), $"unknown check mode {(int)CheckMode}");
        }

        if (CheckTimeout <= TimeSpan.Zero || CheckTimeout > TimeSpan.FromDays(1))
        {
            throw new InvalidOptionException(nameof(CheckTimeout), $"must be positive and at most a day, was {CheckTimeout}");
        }

        if (GpuLayers < -1)
        {
            throw new InvalidOptionException(nameof(GpuLayers), $"must be -1 (all), 0 (none) or a layer count, was {GpuLayers}");
        }
    }
}
