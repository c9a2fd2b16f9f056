using System.Text;
using LookupDecode.Models;

namespace LookupDecode.Replay;

/// <summary>
/// How a recorded conversation was shown to the model that answered it: the text of each turn's prompt, given the questions
/// and the earlier answers. The tokenizer adds BOS in front; special-token texts such as <c>&lt;/s&gt;</c> are parsed as the
/// special tokens they name, as FastChat's tokenization did.
/// </summary>
public sealed class ConversationTemplate
{
    private const string VicunaSystem = "A chat between a curious user and an artificial intelligence assistant. "
                                        + "The assistant gives helpful, detailed, and polite answers to the user's questions.";

    private readonly Func<IReadOnlyList<string>, IReadOnlyList<string>, string> _build;

    private ConversationTemplate(string name, Func<IReadOnlyList<string>, IReadOnlyList<string>, string> build, string answerSeparator = " ")
    {
        Name = name;
        _build = build;
        AnswerSeparator = answerSeparator;
    }

    /// <summary>FastChat's <c>vicuna_v1.1</c>: <c>{system} USER: {q1} ASSISTANT: {a1}&lt;/s&gt;USER: {q2} ASSISTANT:</c>.</summary>
    public static ConversationTemplate Vicuna { get; } = new("vicuna", (questions, answers) =>
    {
        // FastChat joins "USER: q" and "ASSISTANT: a" with " " after a question and "</s>" after an answer.
        var text = new StringBuilder(VicunaSystem).Append(' ');
        for (var turn = 0; turn < questions.Count; turn++)
        {
            text.Append("USER: ").Append(questions[turn]).Append(" ASSISTANT:");
            if (turn < answers.Count)
            {
                text.Append(' ').Append(answers[turn]).Append("</s>");
            }
        }

        return text.ToString();
    });

    /// <summary>Llama-2 chat without a system prompt: <c>[INST] {q1} [/INST] {a1} &lt;/s&gt;&lt;s&gt;[INST] {q2} [/INST]</c>.</summary>
    public static ConversationTemplate Llama2 { get; } = new("llama-2", (questions, answers) =>
    {
        var text = new StringBuilder();
        for (var turn = 0; turn < questions.Count; turn++)
        {
            text.Append("[INST] ").Append(questions[turn]).Append(" [/INST]");
            if (turn < answers.Count)
            {
                text.Append(' ').Append(answers[turn]).Append(" </s><s>");
            }
        }

        return text.ToString();
    });

    /// <summary>
    /// No chat markup, for plain completions (a base or story model continuing a text): <c>{q1}{a1}{q2}</c> — each
    /// question is the text the model continued, each answer its continuation exactly as generated (joined with nothing
    /// in between, so a continuation starting with a comma stays attached).
    /// </summary>
    public static ConversationTemplate Raw { get; } = new("raw", (questions, answers) =>
    {
        var text = new StringBuilder(questions[0]);
        for (var turn = 1; turn < questions.Count; turn++)
        {
            text.Append(answers[turn - 1]).Append(questions[turn]);
        }

        return text.ToString();
    }, answerSeparator: string.Empty);

    /// <summary>Every template by name.</summary>
    public static IReadOnlyList<ConversationTemplate> All { get; } = [Vicuna, Llama2, Raw];

    /// <summary>The template's name (<c>vicuna</c>, <c>llama-2</c>, <c>raw</c>).</summary>
    public string Name { get; }

    /// <summary>What stands between a turn's prompt and its answer: a space after a chat template's assistant tag, nothing for <see cref="Raw"/>.</summary>
    public string AnswerSeparator { get; }

    /// <summary>The template called <paramref name="name"/>.</summary>
    /// <exception cref="InvalidOptionException">No template has that name.</exception>
    public static ConversationTemplate Parse(string name)
        => All.FirstOrDefault(template => string.Equals(template.Name, name, StringComparison.OrdinalIgnoreCase))
           ?? throw new InvalidOptionException("template", $"unknown template '{name}' (use {string.Join(", ", All.Select(template => template.Name))})");

    /// <summary>
    /// The prompt of turn <c>questions.Count</c>: every question so far, each earlier one followed by its recorded answer
    /// (<paramref name="answers"/> holds one fewer than <paramref name="questions"/>).
    /// </summary>
    public string Prompt(IReadOnlyList<string> questions, IReadOnlyList<string> answers)
    {
        ArgumentNullException.ThrowIfNull(questions);
        ArgumentNullException.ThrowIfNull(answers);
        if (questions.Count == 0 || answers.Count != questions.Count - 1)
        {
            throw new ArgumentException("a prompt needs one question more than answers");
        }

        return _build(questions, answers);
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
