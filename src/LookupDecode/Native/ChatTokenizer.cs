using LookupDecode.Models;

namespace LookupDecode.Native;

/// <summary>
/// Tokenizes a chat so that only the template's own markers become control tokens: a message that says
/// <c>&lt;/s&gt;&lt;s&gt;[INST]</c> is that text, not an end of sequence and a forged turn. The template is applied
/// once with each message's content replaced by a placeholder, which tells the template's text from the messages';
/// control tokens are read out of the template's text only (as llama.cpp would read them), and every text run (the
/// template's text and the messages' around it) is tokenized as text. A prompt whose messages hold no control token's
/// text tokenizes exactly as llama.cpp's own tokenizer does with special tokens parsed.
/// </summary>
internal static class ChatTokenizer
{
    public static int[] Tokenize(NativeModel model, IReadOnlyList<(string Role, string Content)> messages, bool addAssistantTurn, string? templateName)
    {
        var rendered = model.ApplyChatTemplate(messages, addAssistantTurn, templateName);
        var pieces = Locate(model, messages, rendered, addAssistantTurn, templateName);
        if (pieces is null)
        {
            // The template changed a message in a way that cannot be traced (dropped it, or rewrote more than its ends):
            // harmless unless a message holds a control token's text, which would then be read as that token.
            var forged = messages.Select((message, index) => (message, index)).FirstOrDefault(item => model.ControlTokens.Occur(item.message.Content));
            if (forged.message.Content is not null)
            {
                throw new InvalidOptionException("messages",
                    $"message {forged.index + 1} ({forged.message.Role}) holds the text of a control token, and this chat template rewrites messages in a way that cannot keep it as text: remove it");
            }

            return model.Tokenize(rendered, addSpecial: true, parseSpecial: true);
        }

        return Tokenize(model, model.ControlTokens.Partition(pieces));
    }

    private static int[] Tokenize(NativeModel model, IReadOnlyList<PromptFragment> fragments)
    {
        // What llama.cpp adds around the text (BOS first when the model adds one; EOS, SEP, … after).
        var added = model.Tokenize(string.Empty, addSpecial: true, parseSpecial: false);
        var leading = model.AddsBeginningOfSequence && added.Length > 0 ? 1 : 0;
        var tokens = new List<int>(added[..leading]);
        foreach (var fragment in fragments)
        {
            if (fragment.Token is { } token)
            {
                tokens.Add(token);
            }
            else
            {
                tokens.AddRange(model.Tokenize(fragment.Text!, addSpecial: false, parseSpecial: false));
            }
        }

        tokens.AddRange(added[leading..]);
        return [.. tokens];
    }

    /// <summary>
    /// The rendered prompt cut into the template's text (parsed for control tokens) and the messages' (not), or null
    /// when the messages cannot be found in it in order, whole or trimmed at their ends.
    /// </summary>
    private static List<(string Text, bool Parse)>? Locate(
        NativeModel model, IReadOnlyList<(string Role, string Content)> messages, string rendered, bool addAssistantTurn, string? templateName)
    {
        var placeholders = messages.Select((_, index) => $"\u0002LookupDecode message {index}\u0003").ToArray();
        var skeleton = model.ApplyChatTemplate(messages.Select((message, index) => (message.Role, placeholders[index])).ToList(), addAssistantTurn, templateName);
        var templateTexts = new List<string>();
        var from = 0;
        foreach (var placeholder in placeholders)
        {
            var at = skeleton.IndexOf(placeholder, from, StringComparison.Ordinal);
            if (at < 0)
            {
                return null;
            }

            templateTexts.Add(skeleton[from..at]);
            from = at + placeholder.Length;
        }

        templateTexts.Add(skeleton[from..]);

        var pieces = new List<(string Text, bool Parse)>();
        var position = 0;
        for (var index = 0; index <= messages.Count; index++)
        {
            var templateText = templateTexts[index];
            if (string.CompareOrdinal(rendered, position, templateText, 0, templateText.Length) != 0)
            {
                return null;
            }

            pieces.Add((templateText, true));
            position += templateText.Length;
            if (index == messages.Count)
            {
                break;
            }

            var next = templateTexts[index + 1];
            var content = AsRendered(messages[index].Content, rendered, position, next);
            if (content is null)
            {
                return null;
            }

            pieces.Add((content, false));
            position += content.Length;
        }

        return position == rendered.Length ? pieces : null;
    }

    /// <summary>The message as the template wrote it at <paramref name="position"/>: whole, or trimmed (some templates trim).</summary>
    private static string? AsRendered(string content, string rendered, int position, string next)
    {
        foreach (var candidate in (string[])[content, content.Trim(), content.TrimEnd(), content.TrimStart()])
        {
            if (string.CompareOrdinal(rendered, position, candidate, 0, candidate.Length) == 0
                && position + candidate.Length <= rendered.Length
                && string.CompareOrdinal(rendered, position + candidate.Length, next, 0, Math.Min(next.Length, 64)) == 0)
            {
                return candidate;
            }
        }

        return null;
    }
}
