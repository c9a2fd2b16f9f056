using LookupDecode.Models;
using Microsoft.Extensions.AI;

namespace LookupDecode.Hosting;

/// <summary>
/// Turns chat messages into prompt tokens as <see cref="LookupDecodeOptions.ChatTemplate"/> says. Message text is always
/// tokenized as text: only a template's own markers become special tokens (<see cref="LlamaModel.TokenizeChat"/>).
/// </summary>
internal static class ChatPrompt
{
    public const string Auto = "auto";
    public const string ModelTemplate = "model";
    public const string Raw = "raw";

    public static int[] Tokenize(LlamaModel model, IEnumerable<ChatMessage> messages, string template)
    {
        var turns = messages.Select(message => (Role(message.Role), message.Text)).ToList();
        if (turns.Count == 0)
        {
            throw new InvalidOptionException("messages", "no message to respond to");
        }

        return template switch
        {
            Raw => model.Tokenize(string.Join("\n", turns.Select(turn => turn.Text)), parseSpecial: false),
            Auto when model.ChatTemplate is null => model.Tokenize(string.Join("\n", turns.Select(turn => turn.Text)), parseSpecial: false),
            Auto or ModelTemplate => model.TokenizeChat(turns),
            _ => model.TokenizeChat(turns, addAssistantTurn: true, templateName: template),
        };
    }

    private static string Role(ChatRole role)
    {
        if (role == ChatRole.System)
        {
            return "system";
        }

        if (role == ChatRole.Assistant)
        {
            return "assistant";
        }

        if (role == ChatRole.Tool)
        {
            return "tool";
        }

        return "user";
    }
}
