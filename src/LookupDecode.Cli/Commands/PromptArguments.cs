using System.CommandLine;
using LookupDecode.Models;

namespace LookupDecode.Cli.Commands;

/// <summary>The prompt options: inline text or a file (read as llama.cpp's <c>-f</c> reads it).</summary>
internal sealed class PromptArguments
{
    public Option<string?> Prompt { get; } = new("--prompt", "-p")
    {
        Description = "Prompt text.",
    };

    public Option<FileInfo?> PromptFile { get; } = new("--prompt-file", "-f")
    {
        Description = "File holding the prompt (one trailing newline is dropped, as llama.cpp's -f does).",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Prompt);
        command.Options.Add(PromptFile);
        command.Validators.Add(result =>
        {
            var hasPrompt = result.GetResult(Prompt) is not null;
            var hasFile = result.GetResult(PromptFile) is not null;
            if (hasPrompt == hasFile)
            {
                result.AddError($"give exactly one of {Prompt.Name} or {PromptFile.Name}");
            }
        });
    }

    public string Read(ParseResult result)
    {
        if (result.GetValue(PromptFile) is { } file)
        {
            return PromptFiles.Read(file.FullName);
        }

        return result.GetValue(Prompt) ?? throw new InvalidOptionException(Prompt.Name, "is missing");
    }
}
