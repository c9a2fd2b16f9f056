namespace LookupDecode.Replay;

/// <summary>One benchmark question (FastChat / Spec-Bench <c>question.jsonl</c>): its id, category and user turns.</summary>
/// <param name="Id">The <c>question_id</c>.</param>
/// <param name="Category">The file's own category (MT-bench's are writing, roleplay, …; Spec-Bench's tasks are translation, …).</param>
/// <param name="Turns">The user's message of each turn.</param>
public sealed record TraceQuestion(int Id, string Category, IReadOnlyList<string> Turns);

/// <summary>A model's recorded answer to one question (FastChat / Spec-Bench <c>model_answer/*.jsonl</c>).</summary>
/// <param name="QuestionId">The question answered.</param>
/// <param name="Turns">The answer text of each turn (<c>choices[0].turns</c>).</param>
/// <param name="AcceptLengths">Tokens emitted per verification step when the answer was recorded with a drafter (<c>choices[0].accept_lengths</c>), all turns together; empty when absent.</param>
public sealed record TraceAnswer(int QuestionId, IReadOnlyList<string> Turns, IReadOnlyList<int> AcceptLengths);
