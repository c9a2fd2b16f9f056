using LookupDecode.Models;
using LookupDecode.Text;

namespace LookupDecode.Replay;

/// <summary>
/// Turns recorded conversations into the token streams a model with a given vocabulary would have seen and written: each
/// turn's prompt built with a <see cref="ConversationTemplate"/> (earlier turns with their recorded answers), the answer's
/// tokens being what follows the common prefix of <c>tokenize(prompt)</c> and <c>tokenize(prompt + separator + answer)</c> (the template's separator: a space, or nothing for raw completions).
/// Answers are stored as text, so this round trip is the only approximation; a vocabulary that cannot encode the text is
/// an <see cref="UnsupportedTextException"/>, never a silent mis-tokenization.
/// </summary>
public static class TraceTokenizer
{
    /// <summary>
    /// The turns of every answered question, in question order, filtered by <paramref name="include"/> (category, running
    /// count of questions already taken in that category) when given.
    /// </summary>
    /// <exception cref="TraceFormatException">An answer's question is missing, an answer has more turns than its question, or no question is answered.</exception>
    /// <exception cref="UnsupportedTextException">The vocabulary cannot encode a character of a question or answer.</exception>
    public static IReadOnlyList<ReplayTrace> Tokenize(
        LlamaModel model,
        ConversationTemplate template,
        IReadOnlyList<TraceQuestion> questions,
        IReadOnlyList<TraceAnswer> answers,
        string answersPath,
        Func<string, int, bool>? include = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(questions);
        ArgumentNullException.ThrowIfNull(answers);
        var byId = questions.ToDictionary(question => question.Id);
        foreach (var answer in answers)
        {
            if (!byId.TryGetValue(answer.QuestionId, out var question))
            {
                throw new TraceFormatException(answersPath, 0, $"answers question {answer.QuestionId}, which is not among the questions");
            }

            if (answer.Turns.Count > question.Turns.Count)
            {
                throw new TraceFormatException(answersPath, 0,
                    $"answer {answer.QuestionId} has {answer.Turns.Count} turns but its question has {question.Turns.Count}");
            }
        }

        var answered = answers.ToDictionary(answer => answer.QuestionId);
        var traces = new List<ReplayTrace>();
        foreach (var (question, category) in TraceCategories.Take(questions, question => answered.ContainsKey(question.Id), include))
        {
            var answer = answered[question.Id];
            for (var turn = 0; turn < answer.Turns.Count; turn++)
            {
                var prompt = template.Prompt(question.Turns.Take(turn + 1).ToArray(), answer.Turns.Take(turn).ToArray());
                var trace = TokenizeTurn(model, question, category, turn, prompt, template.AnswerSeparator, answer.Turns[turn]);
                if (trace is not null)
                {
                    traces.Add(trace);
                }
            }
        }

        if (traces.Count == 0)
        {
            throw new TraceFormatException(answersPath, 0, "answers none of the selected questions");
        }

        return traces;
    }

    private static ReplayTrace? TokenizeTurn(LlamaModel model, TraceQuestion question, string category, int turn, string prompt, string separator, string answer)
    {
        if (answer.Length == 0)
        {
            return null;
        }

        var promptTokens = model.Tokenize(prompt, addSpecial: true, parseSpecial: true);
        var full = model.Tokenize(prompt + separator + answer, addSpecial: true, parseSpecial: true);
        var common = promptTokens.AsSpan().CommonPrefixLength(full);
        return common == full.Length ? null : new ReplayTrace(question.Id, category, turn, full[..common], full[common..]);
    }
}
