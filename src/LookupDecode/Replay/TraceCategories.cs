namespace LookupDecode.Replay;

/// <summary>
/// The categories replay reports: Spec-Bench's six tasks when the questions are Spec-Bench's (MT-bench's eight categories,
/// questions 81–160, are one task, <c>mt_bench</c>), otherwise each question's own category.
/// </summary>
public static class TraceCategories
{
    /// <summary>Spec-Bench's tasks, in its leaderboard's order.</summary>
    public static IReadOnlyList<string> SpecBench { get; } = ["mt_bench", "translation", "summarization", "qa", "math_reasoning", "rag"];

    /// <summary>The category each question is reported under.</summary>
    public static Func<TraceQuestion, string> For(IReadOnlyList<TraceQuestion> questions)
    {
        ArgumentNullException.ThrowIfNull(questions);
        var isSpecBench = questions.Any(question => SpecBench.Contains(question.Category) && question.Category != "mt_bench");
        return isSpecBench
            ? question => SpecBench.Contains(question.Category) ? question.Category : "mt_bench"
            : question => question.Category;
    }

    /// <summary>
    /// The questions taken, in id order, each with its category: those <paramref name="eligible"/> admits, filtered by
    /// <paramref name="include"/> (category, how many of it were taken before) when given.
    /// </summary>
    internal static IEnumerable<(TraceQuestion Question, string Category)> Take(
        IReadOnlyList<TraceQuestion> questions,
        Func<TraceQuestion, bool> eligible,
        Func<string, int, bool>? include)
    {
        var categoryOf = For(questions);
        var taken = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var question in questions.OrderBy(question => question.Id))
        {
            if (!eligible(question))
            {
                continue;
            }

            var category = categoryOf(question);
            var count = taken.GetValueOrDefault(category);
            if (include is not null && !include(category, count))
            {
                continue;
            }

            taken[category] = count + 1;
            yield return (question, category);
        }
    }

    /// <summary>The categories present, Spec-Bench's in leaderboard order first, then others alphabetically.</summary>
    public static IReadOnlyList<string> Order(IEnumerable<string> categories)
    {
        var present = categories.Distinct(StringComparer.Ordinal).ToList();
        return [.. SpecBench.Where(present.Contains), .. present.Where(category => !SpecBench.Contains(category)).Order(StringComparer.Ordinal)];
    }
}
