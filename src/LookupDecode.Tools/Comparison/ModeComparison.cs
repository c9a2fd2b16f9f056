using LookupDecode.Decoding;
using LookupDecode.Models;

namespace LookupDecode.Comparison;

/// <summary>
/// The seed experiment as a function: on one loaded model and one prompt, run every variant (plain decoding first,
/// as the baseline), warm-up first, then the measured repeats with the variants interleaved (the order rotates each
/// repeat, so no variant always runs right after another), and report median speed, speedup over the baseline, peak
/// memory, drafting figures and whether each variant reproduced the baseline's tokens.
/// </summary>
public static class ModeComparison
{
    /// <summary>The label of the plain-decoding baseline added when none is given.</summary>
    public const string BaselineLabel = "greedy";

    /// <summary>Runs the comparison in <paramref name="session"/>.</summary>
    public static ComparisonResult Run(
        GenerationSession session,
        IReadOnlyList<int> promptTokens,
        ComparisonOptions options,
        IProgress<ComparisonProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(promptTokens);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var variants = WithBaselineFirst(options.Variants, options.MaxTokens);
        var prompt = promptTokens.ToArray();
        var total = variants.Count * (options.Repeats + (options.WarmUp ? 1 : 0));
        var completed = 0;
        if (options.WarmUp)
        {
            foreach (var variant in variants)
            {
                session.Generate(prompt, variant.Options, cancellationToken: cancellationToken);
                progress?.Report(new ComparisonProgress(++completed, total, variant.Label, IsWarmUp: true));
            }
        }

        var runs = variants.Select(_ => new List<GenerationResult>(options.Repeats)).ToArray();
        var repeats = 0;
        try
        {
            for (var repeat = 0; repeat < options.Repeats; repeat++)
            {
                for (var offset = 0; offset < variants.Count; offset++)
                {
                    var index = (repeat + offset) % variants.Count;
                    runs[index].Add(session.Generate(prompt, variants[index].Options, cancellationToken: cancellationToken));
                    progress?.Report(new ComparisonProgress(++completed, total, variants[index].Label, IsWarmUp: false));
                }

                repeats++;
            }
        }
        catch (OperationCanceledException) when (repeats > 0)
        {
            // Stopped (Ctrl+C): report the repeats every variant completed, and say so.
            return Summarize(variants, [.. runs.Select(list => list.Take(repeats).ToList())], prompt.Length, repeats, cancelled: true);
        }

        return Summarize(variants, runs, prompt.Length, repeats, cancelled: false);
    }

    private static ComparisonResult Summarize(List<ComparisonVariant> variants, List<GenerationResult>[] runs, int promptTokens, int repeats, bool cancelled)
    {
        var baselineTokens = runs[0][0].Tokens;
        var baselineSpeed = Calibration.Median.Of(runs[0].Select(run => run.Statistics.TokensPerSecond));
        var rows = variants.Select((variant, index) => Summarize(variant, runs[index], baselineTokens, baselineSpeed)).ToArray();
        return new ComparisonResult(rows, promptTokens, repeats) { Cancelled = cancelled };
    }

    private static List<ComparisonVariant> WithBaselineFirst(IReadOnlyList<ComparisonVariant> variants, int maxTokens)
    {
        var list = variants.Select(variant => variant with { Options = variant.Options with { MaxTokens = maxTokens } }).ToList();
        var baseline = list.FindIndex(variant => variant.Options.Drafting.IsGreedy);
        if (baseline < 0)
        {
            var sampling = list.Count > 0 ? list[0].Options.Sampling : SamplingOptions.Greedy;
            list.Insert(0, new ComparisonVariant(BaselineLabel, new GenerationOptions { MaxTokens = maxTokens, Sampling = sampling }));
        }
        else if (baseline > 0)
        {
            var plain = list[baseline];
            list.RemoveAt(baseline);
            list.Insert(0, plain);
        }

        return list;
    }

    private static ComparisonRow Summarize(ComparisonVariant variant, List<GenerationResult> runs, IReadOnlyList<int> baselineTokens, double baselineSpeed)
    {
        var first = runs[0].Statistics;
        var speed = Calibration.Median.Of(runs.Select(run => run.Statistics.TokensPerSecond));
        return new ComparisonRow(
            variant.Label,
            speed,
            baselineSpeed > 0 ? speed / baselineSpeed : 0,
            runs.Max(run => run.Statistics.PeakMemoryMegabytes),
            first.DraftedTokens,
            first.AcceptedTokens,
            first.AcceptPercent,
            first.MeanAcceptLength,
            first.DecodeCalls,
            first.GeneratedTokens,
            runs.All(run => run.Tokens.SequenceEqual(baselineTokens)),
            runs.Select(run => run.Statistics.TokensPerSecond).ToArray(),
            first.DraftingFallback,
            Calibration.Median.Of(runs.Select(run => run.Statistics.ManagedOverheadShare)));
    }
}
