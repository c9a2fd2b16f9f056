using System.Globalization;
using LookupDecode.Replay;

namespace LookupDecode.Tests.Replay;

/// <summary>The proposal table: every drafter, every position, and exactly what the answer confirms.</summary>
public sealed class ProposalTableTests
{
    private static readonly ReplayTrace Repetitive = new(7, "summarization", 0,
        [1, 10, 11, 12, 13, 14, 15, 16, 17],
        [10, 11, 12, 13, 20, 14, 15, 16, 17, 10, 11, 12]);

    private static string[][] Rows(string variant, int maxTokens, params ReplayTrace[] traces)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        ProposalTable.Write(writer, traces, ReplayVariant.Parse(variant), maxTokens, _ => false);
        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.TrimEnd('\r')).ToArray();
        Assert.Equal(ProposalTable.Header, lines[0]);
        return [.. lines.Skip(1).Select(line => line.Split(','))];
    }

    [Fact]
    public void Every_drafter_proposes_at_every_position_and_accepted_is_the_prefix_the_answer_confirms()
    {
        var rows = Rows("auto", maxTokens: 100, Repetitive);

        Assert.Equal(3 * Repetitive.Answer.Length, rows.Length);
        foreach (var row in rows)
        {
            var position = int.Parse(row[3], CultureInfo.InvariantCulture);
            var proposed = int.Parse(row[6], CultureInfo.InvariantCulture);
            var accepted = int.Parse(row[7], CultureInfo.InvariantCulture);
            // The context a verification there runs at: every token before the last one emitted.
            Assert.Equal(Repetitive.Prompt.Length + position - 1, int.Parse(row[4], CultureInfo.InvariantCulture));
            Assert.InRange(proposed, 0, Repetitive.Answer.Length - position);
            Assert.InRange(accepted, 0, proposed);
            var evidence = row[8].Length == 0 ? 0 : row[8].Split('|').Length;
            Assert.Equal(proposed, evidence);
        }

        // After "… 13" comes 20 where the prompt had 14: the suffix drafter's copy is cut there; after "20 14" it copies again.
        var suffix = rows.Where(row => row[5] == "suffix").ToArray();
        Assert.Equal("0", suffix[4][7]);
        Assert.True(int.Parse(suffix[6][7], CultureInfo.InvariantCulture) >= 3, string.Join(",", suffix[6]));
    }

    [Fact]
    public void The_token_limit_bounds_positions_and_proposals()
    {
        var rows = Rows("suffix", maxTokens: 5, Repetitive);

        Assert.Equal(5, rows.Length);
        Assert.All(rows, row => Assert.InRange(int.Parse(row[6], CultureInfo.InvariantCulture), 0, 5 - int.Parse(row[3], CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Variants_without_drafters_of_their_own_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Rows("oracle", 10, Repetitive));
        Assert.Throws<ArgumentException>(() => Rows("greedy", 10, Repetitive));
    }
}
