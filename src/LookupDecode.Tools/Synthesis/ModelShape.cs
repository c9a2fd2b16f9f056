using LookupDecode.Models;

namespace LookupDecode.Synthesis;

/// <summary>
/// Tensor shapes of a llama-architecture model class. The presets carry the shapes of real models so that a
/// synthetic or inflated model costs what the real one costs per <c>llama_decode</c>.
/// </summary>
public sealed record ModelShape
{
    /// <summary>A small shape for quick tests (about 5M parameters).</summary>
    public static ModelShape Tiny { get; } = new()
    {
        Name = "tiny", EmbeddingSize = 256, LayerCount = 4, HeadCount = 8, KvHeadCount = 4, FeedForwardSize = 768,
        VocabularySize = 4096, ContextLength = 2048,
    };

    /// <summary>The 1.1B-parameter llama class (TinyLlama-1.1B): 22 layers, 2048 wide, 32 heads / 4 KV heads, FFN 5632.</summary>
    public static ModelShape Llama1B { get; } = new()
    {
        Name = "llama-1b", EmbeddingSize = 2048, LayerCount = 22, HeadCount = 32, KvHeadCount = 4, FeedForwardSize = 5632,
        VocabularySize = 32000, ContextLength = 2048,
    };

    /// <summary>The Mistral-7B class: 32 layers, 4096 wide, 32 heads / 8 KV heads, FFN 14336, RoPE base 10⁶.</summary>
    public static ModelShape Mistral7B { get; } = new()
    {
        Name = "mistral-7b", EmbeddingSize = 4096, LayerCount = 32, HeadCount = 32, KvHeadCount = 8, FeedForwardSize = 14336,
        VocabularySize = 32000, ContextLength = 32768, RopeFrequencyBase = 1_000_000f,
    };

    /// <summary>Shape name (tiny, llama-1b, mistral-7b or custom).</summary>
    public string Name { get; init; } = "custom";

    /// <summary>Width of the residual stream (n_embd).</summary>
    public int EmbeddingSize { get; init; }

    /// <summary>Transformer blocks (n_layer).</summary>
    public int LayerCount { get; init; }

    /// <summary>Query heads (n_head).</summary>
    public int HeadCount { get; init; }

    /// <summary>Key/value heads (n_head_kv); divides <see cref="HeadCount"/>.</summary>
    public int KvHeadCount { get; init; }

    /// <summary>Hidden size of the feed-forward block (n_ff).</summary>
    public int FeedForwardSize { get; init; }

    /// <summary>Tokens in the vocabulary.</summary>
    public int VocabularySize { get; init; }

    /// <summary>Trained context length written to the metadata.</summary>
    public int ContextLength { get; init; }

    /// <summary>RoPE frequency base. Default 10000.</summary>
    public float RopeFrequencyBase { get; init; } = 10000f;

    /// <summary>RMSNorm epsilon. Default 1e-5.</summary>
    public float RmsNormEpsilon { get; init; } = 1e-5f;

    /// <summary>Width of one attention head.</summary>
    public int HeadSize => EmbeddingSize / HeadCount;

    /// <summary>Width of the key/value projections.</summary>
    public int KvSize => HeadSize * KvHeadCount;

    /// <summary>Parameters of a model of this shape (untied output matrix).</summary>
    public long ParameterCount
    {
        get
        {
            long embedding = (long)EmbeddingSize * VocabularySize;
            long attention = ((long)EmbeddingSize * EmbeddingSize * 2) + ((long)EmbeddingSize * KvSize * 2);
            long feedForward = 3L * EmbeddingSize * FeedForwardSize;
            return (2 * embedding) + EmbeddingSize + (LayerCount * (attention + feedForward + (2L * EmbeddingSize)));
        }
    }

    /// <summary>The preset called <paramref name="name"/> (tiny, llama-1b, mistral-7b).</summary>
    public static ModelShape FromName(string name) => name switch
    {
        "tiny" => Tiny,
        "llama-1b" => Llama1B,
        "mistral-7b" => Mistral7B,
        _ => throw new InvalidOptionException("--shape", $"unknown shape '{name}' (tiny, llama-1b or mistral-7b)"),
    };

    /// <summary>Widest embedding a shape may ask for (wider than any 70B model).</summary>
    public const int MaxWidth = 16384;

    /// <summary>Most weights one tensor may hold when written (2^28: 1 GiB as F32).</summary>
    public const long MaxTensorElements = 1L << 28;

    /// <summary>Throws <see cref="InvalidOptionException"/> when the dimensions do not form a valid llama model.</summary>
    public void Validate()
    {
        if (EmbeddingSize < 32 || EmbeddingSize % 32 != 0 || EmbeddingSize > MaxWidth)
        {
            throw new InvalidOptionException("--embd", $"must be a multiple of 32 from 32 to {MaxWidth}, was {EmbeddingSize}");
        }

        if (HeadCount < 1 || EmbeddingSize % HeadCount != 0 || HeadSize % 2 != 0)
        {
            throw new InvalidOptionException("--heads", $"must divide the embedding size {EmbeddingSize} into heads of even width, was {HeadCount}");
        }

        if (KvHeadCount < 1 || HeadCount % KvHeadCount != 0)
        {
            throw new InvalidOptionException("--kv-heads", $"must divide the head count {HeadCount}, was {KvHeadCount}");
        }

        if (LayerCount is < 1 or > 512)
        {
            throw new InvalidOptionException("--layers", $"must be between 1 and 512, was {LayerCount}");
        }

        if (FeedForwardSize < 32 || FeedForwardSize % 32 != 0 || FeedForwardSize > 4 * MaxWidth)
        {
            throw new InvalidOptionException("--ff", $"must be a multiple of 32 from 32 to {4 * MaxWidth}, was {FeedForwardSize}");
        }

        if (VocabularySize is < 300 or > 1 << 20)
        {
            throw new InvalidOptionException("--vocab", $"must be between 300 and {1 << 20}, was {VocabularySize}");
        }

        // Every tensor is built in one managed array of floats: the largest must fit one (and memory).
        var largest = Math.Max((long)EmbeddingSize * FeedForwardSize, (long)EmbeddingSize * VocabularySize);
        if (largest > MaxTensorElements)
        {
            throw new InvalidOptionException(EmbeddingSize * (long)VocabularySize >= EmbeddingSize * (long)FeedForwardSize ? "--vocab" : "--ff",
                $"the largest tensor would hold {largest} weights (at most {MaxTensorElements}, 1 GiB of F32)");
        }
    }
}
