using LookupDecode.Models;
using LookupDecode.Text;

namespace LookupDecode.Cli.Commands;

/// <summary>Prompt files for commands: <see cref="PromptFile"/> with errors phrased for the command line.</summary>
internal static class PromptFiles
{
    public static string Read(string path, string optionName = "--prompt-file")
    {
        try
        {
            return PromptFile.ReadText(path);
        }
        catch (FileNotFoundException)
        {
            throw new InvalidOptionException(optionName, $"'{path}' does not exist");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOptionException(optionName, $"'{path}' cannot be read: {exception.Message}");
        }
    }
}
