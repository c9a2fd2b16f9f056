using LookupDecode.Decoding;

namespace LookupDecode.Drafting;

/// <summary>What a <see cref="DrafterFactory"/> may use to build a drafter for one generation.</summary>
/// <param name="Options">The generation's options: the built-in drafters read their settings (prompt-lookup n-grams, n-gram caches) here.</param>
/// <param name="IsEndOfGeneration">Tells which tokens end generation (drafts should stop before them).</param>
/// <param name="VocabularySize">Tokens in the target model's vocabulary; a drafter must only propose ids below it.</param>
public sealed record DraftingContext(GenerationOptions Options, Func<int, bool> IsEndOfGeneration, int VocabularySize)
{
    /// <summary>Each token's place in a word (built-in drafters add it to their evidence), built on first call; null when unknown.</summary>
    internal Func<Text.TokenKinds>? Kinds { get; init; }
}

/// <summary>
/// Builds one drafter for one generation. The generation owns what it returns and disposes it at the end; return a new
/// instance (or one that tolerates being disposed and begun again).
/// </summary>
public delegate IDraftSource DrafterFactory(DraftingContext context);
