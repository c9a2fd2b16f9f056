using System.CommandLine;
using LookupDecode.Models;
using LookupDecode.Replay;

namespace LookupDecode.Cli.Commands;

/// <summary>
/// What <c>replay</c> and <c>record</c> share: the question file, the conversation template, which questions (categories,
/// how many per category) and the token limit per turn, with their checks.
/// </summary>
internal sealed class TraceArguments
{
    public TraceArguments(string templateDescription, string maxTokensDescription, string categoriesVerb)
    {
        Template = new Option<string>("--template") { Description = templateDescription, DefaultValueFactory = _ => "vicuna" };
        Template.AcceptOnlyFromAmong([.. ConversationTemplate.All.Select(known => known.Name)]);
        MaxTokens = new Option<int>("--max-tokens", "-n") { Description = maxTokensDescription, DefaultValueFactory = _ => 1024 };
        Categories = new Option<string?>("--categories") { Description = $"Comma-separated categories to {categoriesVerb} (default: all)." };
    }

    public Option<FileInfo> Questions { get; } = new("--questions") { Description = "Questions (FastChat/Spec-Bench question.jsonl).", Required = true };

    public Option<string> Template { get; }

    public Option<string?> Categories { get; }

    public Option<int?> PerCategory { get; } = new("--per-category") { Description = "Questions per category (the first N by id; default: all)." };

    public Option<int> MaxTokens { get; }

    /// <summary>The token limit per turn, after checking it and <see cref="PerCategory"/>.</summary>
    public int CheckedMaxTokens(ParseResult result)
    {
        var limit = result.GetValue(MaxTokens);
        if (limit is < 1 or > ModelOptions.MaxContextSize)
        {
            throw new InvalidOptionException(MaxTokens.Name, $"must be between 1 and {ModelOptions.MaxContextSize}, was {limit}");
        }

        if (result.GetValue(PerCategory) is < 1)
        {
            throw new InvalidOptionException(PerCategory.Name, "must be at least 1");
        }

        return limit;
    }

    public ConversationTemplate ReadTemplate(ParseResult result) => ConversationTemplate.Parse(result.GetValue(Template)!);

    /// <summary>Which questions to take (category, how many of it already taken), or null for all; an unknown category is an error naming the known ones.</summary>
    public Func<string, int, bool>? Filter(ParseResult result, IReadOnlyList<TraceQuestion> questions)
    {
        var perCategory = result.GetValue(PerCategory);
        HashSet<string>? wanted = null;
        if (result.GetValue(Categories) is { } categoryList)
        {
            wanted = [.. categoryList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
            var categoryOf = TraceCategories.For(questions);
            var known = questions.Select(categoryOf).ToHashSet(StringComparer.Ordinal);
            if (wanted.FirstOrDefault(category => !known.Contains(category)) is { } unknown)
            {
                throw new InvalidOptionException(Categories.Name, $"unknown category '{unknown}' (the questions have {string.Join(", ", TraceCategories.Order(known))})");
            }
        }

        if (wanted is null && perCategory is null)
        {
            return null;
        }

        return (category, taken) => (wanted is null || wanted.Contains(category)) && (perCategory is null || taken < perCategory);
    }
}
