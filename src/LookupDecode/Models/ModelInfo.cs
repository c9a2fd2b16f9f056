namespace LookupDecode.Models;

/// <summary>What llama.cpp reports about a loaded model.</summary>
/// <param name="Name">File name of the model.</param>
/// <param name="Architecture">GGUF <c>general.architecture</c> (e.g. "llama").</param>
/// <param name="Description">llama.cpp's one-line description (type, size, quantization).</param>
/// <param name="VocabularySize">Number of tokens in the vocabulary.</param>
/// <param name="TrainingContextLength">Context length the model was trained with.</param>
/// <param name="LayerCount">Number of transformer blocks.</param>
/// <param name="EmbeddingSize">Width of the residual stream.</param>
/// <param name="ParameterCount">Number of parameters.</param>
/// <param name="SizeInBytes">Bytes of tensor data.</param>
/// <param name="HasByteFallback">False when the vocabulary has no byte tokens, so some characters cannot be encoded.</param>
/// <param name="IsRecurrent">True for recurrent models, whose memory cannot roll back drafts.</param>
public sealed record ModelInfo(
    string Name,
    string Architecture,
    string Description,
    int VocabularySize,
    int TrainingContextLength,
    int LayerCount,
    int EmbeddingSize,
    ulong ParameterCount,
    ulong SizeInBytes,
    bool HasByteFallback,
    bool IsRecurrent);
