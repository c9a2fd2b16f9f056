using LookupDecode.Replay;

namespace LookupDecode.Cli.Output;

/// <summary>
/// Rows that stand beside ours in a replay report: published figures, and drafters recorded with their acceptance
/// (<c>accept_lengths</c> in a trace file: SpS with a trained draft model, EAGLE).
/// </summary>
internal sealed record ReplayReference(string Name, double? Overall, IReadOnlyDictionary<string, double> Categories, string Source)
{
    /// <summary>
    /// Prompt lookup as published on Spec-Bench's leaderboard (A100, Vicuna-7B): mean accepted tokens 1.73 overall; the
    /// per-task figures published are speedups, not acceptance, so only the overall one is shown.
    /// </summary>
    public static ReplayReference PublishedPld { get; } = new("PLD (published)", 1.73, new Dictionary<string, double>(), "Spec-Bench leaderboard");
}

/// <summary>Reads reference rows from trace files that carry <c>accept_lengths</c>.</summary>
internal static class ReplayReferences
{
    /// <summary>
    /// The published PLD row and one row per file, over the replayed questions only (<paramref name="replayed"/>), so the
    /// rows compare like with like; a file that cannot be read is reported on <paramref name="warnings"/> and left out.
    /// </summary>
    public static IReadOnlyList<ReplayReference> Load(IReadOnlyList<string> files, IReadOnlyList<TraceQuestion> questions, IReadOnlySet<int> replayed, TextWriter warnings)
    {
        var rows = new List<ReplayReference> { ReplayReference.PublishedPld };
        var categoryOf = TraceCategories.For(questions);
        var byId = questions.Where(question => replayed.Contains(question.Id)).ToDictionary(question => question.Id);
        foreach (var file in files)
        {
            IReadOnlyList<TraceAnswer> answers;
            try
            {
                answers = TraceFiles.ReadAnswers(file);
            }
            catch (TraceFormatException exception)
            {
                warnings.WriteLine($"warning: reference answers left out of report.md: {exception.Message}");
                continue;
            }

            var sums = new Dictionary<string, (long Tokens, long Steps)>(StringComparer.Ordinal);
            foreach (var answer in answers)
            {
                if (answer.AcceptLengths.Count == 0 || !byId.TryGetValue(answer.QuestionId, out var question))
                {
                    continue;
                }

                var category = categoryOf(question);
                var (tokens, steps) = sums.GetValueOrDefault(category);
                sums[category] = (tokens + answer.AcceptLengths.Sum(length => (long)length), steps + answer.AcceptLengths.Count);
            }

            if (sums.Count == 0)
            {
                continue;
            }

            var totalTokens = sums.Values.Sum(sum => sum.Tokens);
            var totalSteps = sums.Values.Sum(sum => sum.Steps);
            rows.Add(new ReplayReference(
                NameOf(file),
                (double)totalTokens / totalSteps,
                sums.ToDictionary(pair => pair.Key, pair => (double)pair.Value.Tokens / pair.Value.Steps, StringComparer.Ordinal),
                Path.GetFileName(file)));
        }

        return rows;
    }

    private static string NameOf(string file)
    {
        var name = Path.GetFileNameWithoutExtension(file);
        return name.Contains("eagle", StringComparison.OrdinalIgnoreCase) ? "EAGLE (recorded)"
            : name.Contains("sps", StringComparison.OrdinalIgnoreCase) ? "SpS draft model (recorded)"
            : name;
    }
}
