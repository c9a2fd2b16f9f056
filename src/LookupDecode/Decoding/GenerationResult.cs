namespace LookupDecode.Decoding;

/// <summary>The outcome of one generation.</summary>
/// <param name="Tokens">Generated token ids (prompt excluded), in order; a final end-of-generation token is included.</param>
/// <param name="Text">The generated text, special tokens rendered as text (as llama.cpp's examples print them).</param>
/// <param name="StopReason">Why generation ended.</param>
/// <param name="Statistics">Timing, drafting and memory figures.</param>
public sealed record GenerationResult(
    IReadOnlyList<int> Tokens,
    string Text,
    StopReason StopReason,
    GenerationStatistics Statistics);
