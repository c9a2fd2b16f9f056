using LookupDecode.Models;
using Microsoft.Extensions.AI;

namespace LookupDecode.Hosting;

/// <summary>Turns chat messages into prompt text as <see cref="LookupDecodeOptions.ChatTemplate"/> says.</summary>
internal static class ChatPrompt
{
    public const string Auto = "auto";
    public const string ModelTemplate = "model";
    public const string Raw = "raw";

    public static string Format(LlamaModel model, IEnumerable<ChatMessage> messages, string template)
    {
        var turns = messages.Select(message => (Role(message.Role), message.Text)).ToList();
        if (turns.Count == 0)
        {
            throw new InvalidOptionException("messages", "no message to respond to");
        }

        return template switch
        {
            Raw => string.Join("\n", turns.Select(turn => turn.Text)),
            Auto when model.ChatTemplate is null => string.Join("\n", turns.Select(turn => turn.Text)),
            Auto or ModelTemplate => model.ApplyChatTemplate(turns),
            _ => model.ApplyChatTemplate(turns, addAssistantTurn: true, templateName: template),
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
