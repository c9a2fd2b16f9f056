namespace LookupDecode.Models;

/// <summary>An option is out of its allowed range or inconsistent with another; names the option and the rule.</summary>
public sealed class InvalidOptionException : LookupDecodeException
{
    /// <summary>Creates the exception for option <paramref name="optionName"/>.</summary>
    public InvalidOptionException(string optionName, string problem)
        : base($"Invalid option {optionName}: {problem}")
    {
        OptionName = optionName;
        Problem = problem;
    }

    /// <summary>Name of the offending option as the user spelled it (property name or CLI flag).</summary>
    public string OptionName { get; }

    /// <summary>What is wrong with its value.</summary>
    public string Problem { get; }
}
