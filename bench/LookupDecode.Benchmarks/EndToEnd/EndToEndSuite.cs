using LookupDecode.Calibration;
using LookupDecode.Comparison;
using LookupDecode.Decoding;
using LookupDecode.Drafting;
using LookupDecode.Models;
using LookupDecode.Native;
using LookupDecode.Text;

namespace LookupDecode.Benchmarks.EndToEnd;

/// <summary>
/// The end-to-end benchmark: on one model, every task (prompt file) runs plain decoding and every (mode, draft)
/// variant through <see cref="ModeComparison"/> (warm-up, interleaved repeats, medians, identity check); optionally
/// upstream llama-lookup runs the same tasks at draft 0 (its own plain decoding) and each draft size; optionally the
/// verification cost curve T(k)/T(1) is measured. Everything lands in one report directory.
/// </summary>
internal static class EndToEndSuite
{
    public static int Run(EndToEndSettings settings, TextWriter log, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(settings.OutputDirectory);
        using var model = LlamaModel.Load(settings.Model, new ModelOptions { ContextSize = settings.ContextSize, Threads = settings.Threads, KvCacheType = settings.KvCacheType });
        using var session = model.CreateSession();
        if (settings.DraftModel is { } draftPath)
        {
            VocabularyCompatibility.Check(settings.Model, draftPath);
        }

        using var draftModel = settings.DraftModel is { } draftFile ? LlamaModel.Load(draftFile, LookupDecode.Drafting.DraftModel.DraftModelOptions.LoadOptionsFor(model.Options)) : null;
        var draftOptions = new LookupDecode.Drafting.DraftModel.DraftModelOptions { Model = draftModel, MinProbability = settings.DraftMinProbability };
        log.WriteLine($"model {model.Info.Name}: {model.Info.Description}; backend {LlamaRuntime.Describe()}; {settings.Threads} threads; KV cache {session.KvCacheType}");

        var records = new List<BenchmarkRecord>();
        var upstream = settings.UpstreamBin is { } bin ? Path.Combine(bin, "llama-lookup") : null;
        foreach (var promptFile in settings.PromptFiles)
        {
            var task = Path.GetFileNameWithoutExtension(promptFile);
            string text;
            int[] prompt;
            try
            {
                text = PromptFile.ReadText(promptFile);
                prompt = model.Tokenize(text);
            }
            catch (UnsupportedTextException exception)
            {
                log.WriteLine($"{task}: skipped ({exception.Message})");
                continue;
            }

            ComparisonResult comparison;
            try
            {
                comparison = ModeComparison.Run(session, prompt, new ComparisonOptions
                {
                    Variants = Variants(settings).Select(variant => draftModel is null ? variant : variant with { Options = variant.Options with { DraftModel = draftOptions } }).ToList(),
                    MaxTokens = settings.MaxTokens,
                    Repeats = settings.Repeats,
                }, cancellationToken: cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Stopped before a whole repeat of this task: the report covers the tasks before it.
                break;
            }

            foreach (var row in comparison.Rows)
            {
                records.Add(new BenchmarkRecord(task, BenchmarkRecord.Ours, row.Label, DraftOf(row.Label), row.TokensPerSecond, row.Speedup,
                    row.Drafted, row.Accepted, row.GeneratedTokens, row.PeakMemoryMegabytes, row.IdenticalToBaseline, row.ManagedOverheadShare));
                log.WriteLine($"{task,-18} ours     {row.Label,-20} {row.TokensPerSecond,8:F1} t/s  {row.Speedup,5:F2}x  accept {row.Accepted}/{row.Drafted}  identical {row.IdenticalToBaseline}  managed {row.ManagedOverheadShare:P2}  peak {row.PeakMemoryMegabytes:F1} MB");
            }

            if (comparison.Cancelled)
            {
                break;
            }

            if (upstream is not null)
            {
                records.AddRange(RunUpstream(upstream, settings, promptFile, task, session.KvCacheType == KvCacheType.Q8_0, log));
                if (settings.UpstreamSpeculativeDrafts.Count > 0 && settings.DraftModel is { } draft)
                {
                    records.AddRange(RunUpstreamSpeculative(Path.Combine(settings.UpstreamBin!, "llama-speculative"), upstream, draft, settings, promptFile, task, log));
                }
            }
        }

        DecodeCostCurve? curve = null;
        if (settings.CostCurve && !cancellationToken.IsCancellationRequested)
        {
            var sizes = Enumerable.Range(1, settings.CostCurveMaxBatch).ToArray();
            curve = DecodeCostMeasurement.Measure(session, sizes, settings.CostCurveDepths, repeats: 5);
            log.WriteLine("T(k)/T(1) at depth 0: " + string.Join(", ", curve.Points.Where(p => p.Depth == 0).Select(p => $"{p.BatchSize}:{p.RelativeCost:F2}")));
        }

        ReportWriter.Write(settings, model.Info, records, curve);
        ReportPlots.Write(settings.OutputDirectory, records, curve);
        log.WriteLine($"report: {Path.GetFullPath(Path.Combine(settings.OutputDirectory, "report.md"))}");
        if (cancellationToken.IsCancellationRequested)
        {
            log.WriteLine("cancelled: the report covers what was measured before");
            return 130;
        }

        return records.Where(record => record.Engine == BenchmarkRecord.Ours).All(record => record.Identical != false) ? 0 : 3;
    }

    private static List<ComparisonVariant> Variants(EndToEndSettings settings)
    {
        if (settings.Variants.Count > 0)
        {
            return settings.Variants.Select(Parse).ToList();
        }

        var variants = new List<ComparisonVariant> { new("greedy", new GenerationOptions()) };
        foreach (var mode in settings.Modes)
        {
            foreach (var draft in settings.Drafts)
            {
                variants.Add(Parse(draft == "auto" ? $"{mode}-auto" : $"{mode}-d{draft}"));
            }
        }

        return variants;
    }

    /// <summary>Any drafting preset (<see cref="DraftingPresets"/>): greedy, auto, pld, llama-lookup, {lookup|prompt-lookup}-d{N}, …-auto.</summary>
    private static ComparisonVariant Parse(string label)
        => new(label, new GenerationOptions { Drafting = DraftingPresets.Get(label) });

    private static List<BenchmarkRecord> RunUpstream(string tool, EndToEndSettings settings, string promptFile, string task, bool quantizedKvCache, TextWriter log)
    {
        var drafts = (settings.UpstreamDrafts.Count > 0 ? settings.UpstreamDrafts : settings.Drafts.Where(draft => draft != "auto").Select(draft => int.Parse(draft, System.Globalization.CultureInfo.InvariantCulture)).Prepend(0)).Prepend(0).Distinct().ToArray();
        var (plain, rows) = Measure(drafts, settings.Repeats,
            draft => UpstreamLookup.Run(tool, settings.Model, promptFile, settings.MaxTokens, draft, settings.Threads, settings.ContextSize, quantizedKvCache));
        var records = new List<BenchmarkRecord>();
        foreach (var (draft, speed, first) in rows)
        {
            records.Add(new BenchmarkRecord(task, BenchmarkRecord.Upstream, $"upstream-d{draft}", draft, speed, speed / plain,
                first.Drafted, first.Accepted, first.Predicted, 0, null));
            log.WriteLine($"{task,-18} llama.cpp upstream-d{draft,-11} {speed,8:F1} t/s  {speed / plain,5:F2}x  accept {first.Accepted}/{first.Drafted}");
        }

        return records;
    }

    /// <summary>
    /// Upstream <c>llama-speculative</c> with the same pair, and its own plain decoding (llama-lookup at draft 0), both
    /// with upstream's default KV cache (the Debian build's llama-speculative crashes with a quantized one), interleaved.
    /// </summary>
    private static List<BenchmarkRecord> RunUpstreamSpeculative(string tool, string plainTool, string draftModel, EndToEndSettings settings, string promptFile, string task, TextWriter log)
    {
        var drafts = settings.UpstreamSpeculativeDrafts.Prepend(0).Distinct().ToArray();
        var (plain, rows) = Measure(drafts, settings.Repeats, draft => draft == 0
            ? UpstreamLookup.Run(plainTool, settings.Model, promptFile, settings.MaxTokens, 0, settings.Threads, settings.ContextSize, quantizedKvCache: false)
            : UpstreamLookup.Run(tool, settings.Model, promptFile, settings.MaxTokens, draft, settings.Threads, settings.ContextSize, quantizedKvCache: false, draftModel));
        var records = new List<BenchmarkRecord>();
        foreach (var (draft, speed, first) in rows.Where(row => row.Draft > 0))
        {
            records.Add(new BenchmarkRecord(task, BenchmarkRecord.Upstream, $"upstream-speculative-d{draft}", draft, speed, speed / plain,
                first.Drafted, first.Accepted, first.Predicted, 0, null));
            log.WriteLine($"{task,-18} llama.cpp speculative-d{draft,-8} {speed,8:F1} t/s  {speed / plain,5:F2}x over its plain {plain:F1} (F16 KV)  accept {first.Accepted}/{first.Drafted}");
        }

        return records;
    }

    /// <summary>
    /// Runs every draft size once to warm up, then <paramref name="repeats"/> times interleaved (the order reversing each
    /// repeat); returns the median speed of draft 0 (plain decoding) and, per draft, the median speed and the first
    /// measured run (whose counts the report shows).
    /// </summary>
    private static (double Plain, (int Draft, double Speed, UpstreamLookup.Result First)[] Rows) Measure(int[] drafts, int repeats, Func<int, UpstreamLookup.Result> run)
    {
        var runs = drafts.ToDictionary(draft => draft, _ => new List<UpstreamLookup.Result>());
        for (var repeat = 0; repeat <= repeats; repeat++)
        {
            foreach (var draft in repeat % 2 == 0 ? drafts : drafts.Reverse())
            {
                var result = run(draft);
                if (repeat > 0)
                {
                    runs[draft].Add(result);
                }
            }
        }

        var plain = Median.Of(runs[0].Select(result => result.TokensPerSecond));
        return (plain, [.. drafts.Select(draft => (draft, Median.Of(runs[draft].Select(result => result.TokensPerSecond)), runs[draft][0]))]);
    }

    private static int DraftOf(string label)
    {
        var index = label.LastIndexOf("-d", StringComparison.Ordinal);
        return index >= 0 && int.TryParse(label[(index + 2)..], out var draft) ? draft : 0;
    }
}
