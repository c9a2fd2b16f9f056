using System.Text.Json;

namespace LookupDecode.Replay;

/// <summary>
/// Reads FastChat / Spec-Bench JSON-lines files: questions (<c>question_id</c>, <c>category</c>, <c>turns</c>) and model
/// answers (<c>question_id</c>, <c>choices[0].turns</c>, optionally <c>choices[0].accept_lengths</c>). Every problem is a
/// <see cref="TraceFormatException"/> naming the file and line; blank lines are skipped.
/// </summary>
public static class TraceFiles
{
    /// <summary>Reads a question file.</summary>
    /// <exception cref="TraceFormatException">A line is not a well-formed question, or an id repeats.</exception>
    public static IReadOnlyList<TraceQuestion> ReadQuestions(string path)
    {
        var questions = new List<TraceQuestion>();
        var seen = new HashSet<int>();
        foreach (var (line, root) in ReadLines(path))
        {
            var id = RequiredId(path, line, root);
            if (!seen.Add(id))
            {
                throw new TraceFormatException(path, line, $"question_id {id} appears twice");
            }

            var category = root.TryGetProperty("category", out var value) && value.ValueKind == JsonValueKind.String
                ? TextOf(path, line, value, "category")
                : "uncategorized";
            var turns = RequiredStrings(path, line, root, "turns");
            if (turns.Count == 0)
            {
                throw new TraceFormatException(path, line, $"question {id} has no turns");
            }

            questions.Add(new TraceQuestion(id, category, turns));
        }

        return questions;
    }

    /// <summary>Reads an answer file.</summary>
    /// <exception cref="TraceFormatException">A line is not a well-formed answer, or an id repeats.</exception>
    public static IReadOnlyList<TraceAnswer> ReadAnswers(string path)
    {
        var answers = new List<TraceAnswer>();
        var seen = new HashSet<int>();
        foreach (var (line, root) in ReadLines(path))
        {
            var id = RequiredId(path, line, root);
            if (!seen.Add(id))
            {
                throw new TraceFormatException(path, line, $"question_id {id} is answered twice");
            }

            if (!root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0
                || choices[0].ValueKind != JsonValueKind.Object)
            {
                throw new TraceFormatException(path, line, $"answer {id} has no choices[0] object");
            }

            var choice = choices[0];
            var turns = RequiredStrings(path, line, choice, "turns");
            var acceptLengths = new List<int>();
            if (choice.TryGetProperty("accept_lengths", out var lengths) && lengths.ValueKind == JsonValueKind.Array)
            {
                foreach (var length in lengths.EnumerateArray())
                {
                    if (length.ValueKind != JsonValueKind.Number || !length.TryGetInt32(out var value) || value < 1)
                    {
                        throw new TraceFormatException(path, line, $"answer {id}: accept_lengths holds {length.GetRawText()}, not a positive integer");
                    }

                    acceptLengths.Add(value);
                }
            }

            answers.Add(new TraceAnswer(id, turns, acceptLengths));
        }

        return answers;
    }

    private static IEnumerable<(int Line, JsonElement Root)> ReadLines(string path)
    {
        switch (Files.SafeFiles.KindOf(path))
        {
            case Files.FileKind.Missing:
                throw new TraceFormatException(path, 0, "does not exist");
            case not Files.FileKind.Regular and var kind:
                throw new TraceFormatException(path, 0, $"is {Files.SafeFiles.Describe(kind)}, not a regular file");
        }

        var lineNumber = 0;
        foreach (var (number, text) in Text.Utf8Lines.Read(path, TraceFormatException.ForLine))
        {
            lineNumber = number;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            JsonElement root;
            try
            {
                using var document = JsonDocument.Parse(text);
                root = document.RootElement.Clone();
            }
            catch (JsonException exception)
            {
                throw new TraceFormatException(path, lineNumber, $"not valid JSON ({exception.Message})", exception);
            }

            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new TraceFormatException(path, lineNumber, "is not a JSON object");
            }

            RequireText(path, lineNumber, root);

            yield return (lineNumber, root);
        }

        if (lineNumber == 0)
        {
            throw new TraceFormatException(path, 0, "is empty");
        }
    }

    /// <summary>
    /// Every property name and string of a line must be text: an escape such as <c>\ude00</c> in a name would otherwise
    /// throw from a property lookup. JSON nesting is bounded (64 levels), so is this walk.
    /// </summary>
    private static void RequireText(string path, int line, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    try
                    {
                        _ = property.Name;
                    }
                    catch (InvalidOperationException exception)
                    {
                        throw new TraceFormatException(path, line, "a property name is not text (a lone surrogate escape)", exception);
                    }

                    RequireText(path, line, property.Value);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    RequireText(path, line, item);
                }

                break;
            case JsonValueKind.String:
                _ = TextOf(path, line, element, "a string");
                break;
        }
    }

    /// <summary>A JSON string's text; an escape that is not text (a lone surrogate such as <c>\ud800</c>) is refused.</summary>
    private static string TextOf(string path, int line, JsonElement value, string what)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException exception)
        {
            throw new TraceFormatException(path, line, $"{what} holds {Shorten(value.GetRawText())}, which is not text (a lone surrogate escape)", exception);
        }
    }

    private static string Shorten(string raw) => raw.Length <= 40 ? raw : raw[..40] + "…";

    private static int RequiredId(string path, int line, JsonElement root)
    {
        if (!root.TryGetProperty("question_id", out var id))
        {
            throw new TraceFormatException(path, line, "has no question_id");
        }

        if (id.ValueKind == JsonValueKind.Number && id.TryGetInt32(out var number))
        {
            return number;
        }

        throw new TraceFormatException(path, line, $"question_id {id.GetRawText()} is not an integer");
    }

    private static List<string> RequiredStrings(string path, int line, JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out var array) || array.ValueKind != JsonValueKind.Array)
        {
            throw new TraceFormatException(path, line, $"has no '{name}' array");
        }

        var values = new List<string>(array.GetArrayLength());
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                throw new TraceFormatException(path, line, $"'{name}' holds {item.ValueKind}, not a string");
            }

            values.Add(TextOf(path, line, item, $"'{name}'"));
        }

        return values;
    }
}
