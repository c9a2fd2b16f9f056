using LookupDecode.Text;

namespace LookupDecode.Drafting;

/// <summary>What drafters are told about the target's vocabulary.</summary>
/// <param name="IsEndOfGeneration">Tells which tokens end generation (drafts stop before them).</param>
/// <param name="Size">Tokens in the vocabulary; drafters propose only ids below it.</param>
/// <param name="Kinds">
/// Each token's place in a word, for drafters that score their tokens; null when unknown. Asked for only by drafters that
/// use it (building it reads every token's text once per model).
/// </param>
internal sealed record DraftVocabulary(Func<int, bool> IsEndOfGeneration, int Size, Func<TokenKinds>? Kinds = null);
