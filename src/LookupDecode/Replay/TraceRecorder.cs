using System.Text.Json;
using LookupDecode.Decoding;

namespace LookupDecode.Replay;

/// <summary>
/// Records a model's own greedy answers to a question file, turn by turn (each later turn's prompt holding the answers
/// recorded before it, as <see cref="ConversationTemplate"/> builds it), as a FastChat answer file that
/// <see cref="TraceTokenizer"/> and replay read back: the ground truth of drafting for this model, on any machine.
/// </summary>
public static class TraceRecorder
{
    /// <summary>
    /// Generates greedily for every turn of the questions <paramref name="include"/> selects (category, running count of
    /// questions already taken in it; all when null) and writes one answer line per question to <paramref name="answers"/>:
    /// <c>{"question_id", "model_id", "choices": [{"index": 0, "turns": [...]}]}</c>. A chat template's answers are
    /// stored trimmed (the template puts one space before them, as FastChat does), a raw completion's exactly as
    /// generated; special tokens other than the end of generation are written as their text.
    /// </summary>
    /// <returns>The number of questions recorded.</returns>
    /// <exception cref="Text.UnsupportedTextException">The vocabulary cannot encode a character of a question.</exception>
    /// <exception cref="PromptTooLongException">A turn's prompt does not fit the context.</exception>
    /// <exception cref="GenerationCanceledException">Cancelled; <paramref name="answers"/> holds the questions recorded before.</exception>
    public static int Record(
        GenerationSession session,
        ConversationTemplate template,
        IReadOnlyList<TraceQuestion> questions,
        int maxTokens,
        TextWriter answers,
        Func<string, int, bool>? include = null,
        IProgress<(int Done, int Total)>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(questions);
        ArgumentNullException.ThrowIfNull(answers);
        var options = new GenerationOptions { MaxTokens = maxTokens };
        options.Validate();
        var chosen = TraceCategories.Take(questions, _ => true, include).Select(taken => taken.Question).ToList();
        var modelId = Path.GetFileNameWithoutExtension(session.Model.Path);
        try
        {
            RecordAll(session, template, chosen, options, modelId, answers, progress, cancellationToken);
        }
        finally
        {
            answers.Flush();
        }

        return chosen.Count;
    }

    private static void RecordAll(
        GenerationSession session,
        ConversationTemplate template,
        List<TraceQuestion> chosen,
        GenerationOptions options,
        string modelId,
        TextWriter answers,
        IProgress<(int Done, int Total)>? progress,
        CancellationToken cancellationToken)
    {
        for (var q = 0; q < chosen.Count; q++)
        {
            var question = chosen[q];
            var turns = new List<string>();
            for (var turn = 0; turn < question.Turns.Count; turn++)
            {
                var prompt = template.Prompt(question.Turns.Take(turn + 1).ToArray(), turns);
                var tokens = session.Generate(prompt, options, cancellationToken: cancellationToken).Tokens;
                // Special tokens other than the end of generation keep their text (a story model writes BOS between
                // stories): the trace tokenizer parses them back into the same tokens.
                var text = session.Model.Detokenize([.. tokens.Where(token => !session.Model.IsEndOfGeneration(token))], renderSpecial: true);
                turns.Add(template.AnswerSeparator.Length == 0 ? text : text.Trim());
            }

            answers.WriteLine(JsonSerializer.Serialize(new RecordedAnswer(question.Id, modelId, [new RecordedChoice(0, turns)])));
            progress?.Report((q + 1, chosen.Count));
        }
    }

    private sealed record RecordedAnswer(
        [property: System.Text.Json.Serialization.JsonPropertyName("question_id")] int QuestionId,
        [property: System.Text.Json.Serialization.JsonPropertyName("model_id")] string ModelId,
        [property: System.Text.Json.Serialization.JsonPropertyName("choices")] IReadOnlyList<RecordedChoice> Choices);

    private sealed record RecordedChoice(
        [property: System.Text.Json.Serialization.JsonPropertyName("index")] int Index,
        [property: System.Text.Json.Serialization.JsonPropertyName("turns")] IReadOnlyList<string> Turns);
}
