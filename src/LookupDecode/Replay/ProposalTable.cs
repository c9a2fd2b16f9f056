using System.Globalization;
using LookupDecode.Drafting;

namespace LookupDecode.Replay;

/// <summary>
/// What every drafter of a variant proposes at every position of recorded answers, and how much of it the recording
/// confirms: the raw material for studying length policies offline (which evidence singles out the steps where a long
/// draft is safe, and what a policy that knew it could earn). Unlike <see cref="OfflineReplay"/>, nothing is verified:
/// at each position each drafter proposes up to the plan's maximum (never past the answer's end or the token limit, with
/// no batch cap), the answer's next token is emitted, and each drafter is told its proposal's outcome against that one
/// token (so a drafter's streak counts the positions it predicted). Rows start at position 0, where generation takes the
/// prefill's token and drafts nothing; a turn ends after an end-of-generation token, as in generation. <c>depth</c> is
/// the context a verification at that position would run at (the tokens before the last one emitted).
/// </summary>
public static class ProposalTable
{
    /// <summary>The CSV header: one row per drafter and position.</summary>
    public const string Header = "question_id,category,turn,position,depth,drafter,proposed,accepted,evidence";

    /// <summary>
    /// Writes the rows of <paramref name="variant"/>'s drafters over <paramref name="traces"/> (at most
    /// <paramref name="maxTokens"/> answer positions each) to <paramref name="writer"/>, header first. <c>accepted</c> is the
    /// length of the proposal's prefix the answer confirms; <c>evidence</c> is the drafter's evidence class per proposed
    /// token, '|'-separated (empty for drafters that do not score their tokens). Without a model, drafters are not told
    /// each token's place in a word (<see cref="Text.TokenKinds"/>), so the suffix drafter's classes differ from
    /// generation's: prefer the overload that takes the model.
    /// </summary>
    public static void Write(TextWriter writer, IReadOnlyList<ReplayTrace> traces, ReplayVariant variant, int maxTokens, Func<int, bool> isEndOfGeneration, CancellationToken cancellationToken = default)
        => Write(writer, traces, variant, maxTokens, new DraftVocabulary(isEndOfGeneration, int.MaxValue), cancellationToken);

    /// <summary>As above, with what drafters are told about <paramref name="model"/>'s vocabulary (as in generation).</summary>
    public static void Write(TextWriter writer, IReadOnlyList<ReplayTrace> traces, ReplayVariant variant, int maxTokens, Models.LlamaModel model, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        Write(writer, traces, variant, maxTokens, model.DraftVocabulary, cancellationToken);
    }

    private static void Write(TextWriter writer, IReadOnlyList<ReplayTrace> traces, ReplayVariant variant, int maxTokens, DraftVocabulary vocabulary, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(traces);
        ArgumentNullException.ThrowIfNull(variant);
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentOutOfRangeException.ThrowIfNegative(maxTokens);
        var options = variant.Options with { MaxTokens = Math.Max(1, maxTokens) };
        options.Validate();
        if (options.Drafting.IsGreedy || variant.IsOracle)
        {
            throw new ArgumentException($"'{variant.Name}' has no drafters of its own to tabulate", nameof(variant));
        }

        writer.WriteLine(Header);
        var maxLength = options.Drafting.MaxLength;
        var draft = new int[maxLength];
        var evidence = new int[maxLength];
        var history = new List<int>();
        foreach (var trace in traces)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var sources = DraftPlannerFactory.CreateSources(options, vocabulary);
            try
            {
                WriteTrace(writer, trace, Math.Min(maxTokens, trace.Answer.Length), sources, vocabulary.IsEndOfGeneration, history, draft, evidence);
            }
            finally
            {
                sources.ForEach(source => source.Dispose());
            }
        }
    }

    private static void WriteTrace(TextWriter writer, ReplayTrace trace, int limit, List<IDraftSource> sources, Func<int, bool> isEndOfGeneration, List<int> history, int[] draft, int[] evidence)
    {
        history.Clear();
        history.AddRange(trace.Prompt);
        foreach (var source in sources)
        {
            source.Begin(trace.Prompt);
        }

        var prefix = string.Create(CultureInfo.InvariantCulture, $"{trace.QuestionId},{CsvField(trace.Category)},{trace.Turn},");
        for (var position = 0; position < limit; position++)
        {
            var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(history);
            var next = trace.Answer.AsSpan(position, 1);
            var room = Math.Min(draft.Length, limit - position);
            foreach (var source in sources)
            {
                var scored = source as IScoredDraftSource;
                evidence.AsSpan().Clear();
                var count = Math.Clamp(scored is null ? source.Propose(span, draft.AsSpan(0, room)) : scored.Propose(span, draft.AsSpan(0, room), evidence.AsSpan(0, room)), 0, room);
                var accepted = draft.AsSpan(0, count).CommonPrefixLength(trace.Answer.AsSpan(position));
                writer.Write(prefix);
                writer.Write(string.Create(CultureInfo.InvariantCulture, $"{position},{Math.Max(0, trace.Prompt.Length + position - 1)},{CsvField(source.Name)},{count},{accepted},"));
                if (scored is not null)
                {
                    writer.Write(string.Join('|', evidence.Take(count)));
                }

                writer.WriteLine();
                source.Verified(new DraftOutcome(draft.AsSpan(0, count), ReadOnlySpan<int>.Empty, 0, next));
            }

            history.Add(trace.Answer[position]);
            span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(history);
            foreach (var source in sources)
            {
                source.Observe(span);
            }

            if (isEndOfGeneration(trace.Answer[position]))
            {
                break;
            }
        }

        var ended = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(history);
        foreach (var source in sources)
        {
            source.End(ended);
        }
    }

    /// <summary>A CSV field: quoted (quotes doubled) when it holds a comma, a quote or a line break.</summary>
    private static string CsvField(string value)
        => value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}
