namespace LookupDecode.Replay;

/// <summary>One recorded turn as token streams in a model's vocabulary: the prompt the model saw and what it wrote.</summary>
/// <param name="QuestionId">The question.</param>
/// <param name="Category">The category replay reports it under (Spec-Bench's task, or the file's own category).</param>
/// <param name="Turn">0-based turn of the conversation.</param>
/// <param name="Prompt">Prompt tokens, BOS first.</param>
/// <param name="Answer">The recorded answer's tokens.</param>
public sealed record ReplayTrace(int QuestionId, string Category, int Turn, int[] Prompt, int[] Answer);
