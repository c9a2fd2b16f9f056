using System.Diagnostics;
using LookupDecode.Decoding;
using LookupDecode.Native;

namespace LookupDecode.Calibration;

/// <summary>
/// Times <c>llama_decode</c> for batches of several sizes at several context depths, the way verification uses it
/// (logits on every position, rejected positions removed afterwards). Batch sizes are interleaved within each
/// repeat so that drifting machine load affects them alike; the median of the repeats is kept. A depth whose repeats
/// disagree (another process took the cores for part of it) is measured again; a curve still disturbed after
/// <see cref="MaxAttempts"/> tries says so in <see cref="DecodeCostCurve.Disturbance"/>, and is not for storing.
/// </summary>
public static class DecodeCostMeasurement
{
    /// <summary>Tries per depth before a disturbed measurement is reported as such.</summary>
    public const int MaxAttempts = 3;

    /// <summary>Slowest over fastest repeat of one point beyond which the point counts as disturbed.</summary>
    public const double SpreadLimit = 1.5;

    /// <summary>
    /// Share of a depth's points allowed to be disturbed. Single repeats do stray on a quiet machine (a page fault, a
    /// timer); the median absorbs those, but not load that lasts through many of a depth's points.
    /// </summary>
    public const double DisturbedShareLimit = 0.25;

    /// <summary>
    /// Below this many milliseconds per single-token decode timings are too short to judge (tiny models decode in well
    /// under a millisecond, where scheduling noise alone doubles a repeat, and their curve decides little) and are not
    /// checked for disturbance. A 1B Q4_0 model's step takes 18 ms on 2 cores.
    /// </summary>
    public const double MinimumJudgedMilliseconds = 5;

    /// <summary>
    /// The depths to measure for a context of <paramref name="contextSize"/> tokens and batches up to
    /// <paramref name="maxBatchSize"/>: 0, 256, 1024 and 2048, as far as the context holds them, plus the deepest the
    /// context allows when that lies well beyond the last of them (requests reach the depths their context allows; depths
    /// past 2048 are extrapolated, since filling them would make a first calibration of a 7B model take minutes).
    /// </summary>
    public static int[] DefaultDepths(int contextSize, int maxBatchSize)
    {
        var deepest = contextSize - maxBatchSize - 1;
        var depths = new List<int> { 0 };
        foreach (var depth in (int[])[256, 1024, 2048])
        {
            if (depth <= deepest)
            {
                depths.Add(depth);
            }
        }

        if (deepest < 2048 && deepest > depths[^1] + 128)
        {
            depths.Add(deepest);
        }

        return [.. depths];
    }

    /// <summary>Measures the curve in <paramref name="session"/> (whose KV cache it leaves empty).</summary>
    public static DecodeCostCurve Measure(
        GenerationSession session,
        IReadOnlyList<int> batchSizes,
        IReadOnlyList<int> depths,
        int repeats = 5,
        IProgress<double>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentOutOfRangeException.ThrowIfLessThan(repeats, 1);
        var context = session.Context;
        var sizes = batchSizes.Append(1).Distinct().Order().ToArray();
        if (sizes[0] < 1 || sizes[^1] > context.BatchCapacity)
        {
            throw new Models.InvalidOptionException("batch sizes", $"must be between 1 and the batch capacity {context.BatchCapacity}");
        }

        var tokens = FillerTokens(session.Model, depths.Max() + sizes[^1]);
        var points = new List<DecodeCostPoint>();
        var disturbed = new List<string>();
        var total = depths.Count * (repeats + 1) * sizes.Length;
        var done = 0;
        foreach (var depth in depths.Order())
        {
            if (depth + sizes[^1] > context.Size)
            {
                throw new Models.InvalidOptionException("depths", $"depth {depth} plus a batch of {sizes[^1]} exceeds the context of {context.Size}");
            }

            context.Clear();
            for (var start = 0; start < depth; start += context.BatchCapacity)
            {
                context.Decode(tokens.AsSpan(start, Math.Min(context.BatchCapacity, depth - start)), start, logitsForAll: false);
            }

            Dictionary<int, List<double>>? best = null;
            var bestShare = double.MaxValue;
            for (var attempt = 1; attempt <= MaxAttempts && bestShare > DisturbedShareLimit; attempt++)
            {
                var timings = TimeOnce(context, tokens, depth, sizes, repeats, () => progress?.Report(Math.Min(1, ++done / (double)total)), cancellationToken);
                var share = DisturbedShare(timings);
                if (share < bestShare)
                {
                    best = timings;
                    bestShare = share;
                }
            }

            if (bestShare > DisturbedShareLimit)
            {
                disturbed.Add($"at depth {depth} {bestShare:P0} of the batch sizes' repeats differed by more than {SpreadLimit}x in each of {MaxAttempts} tries");
            }

            var single = Median.Of(best![1]);
            points.AddRange(sizes.Select(size =>
            {
                var median = Median.Of(best[size]);
                return new DecodeCostPoint(size, depth, median, median / single);
            }));
        }

        context.Clear();
        return new DecodeCostCurve(session.Model.Info.Name, NativeRuntime.Describe(), session.Model.Options.EffectiveThreads, points)
        {
            Disturbance = disturbed.Count == 0 ? null : "the machine was busy while measuring: " + string.Join("; ", disturbed),
        };
    }

    /// <summary>One warm-up and <paramref name="repeats"/> timed decodes of every batch size at <paramref name="depth"/>.</summary>
    private static Dictionary<int, List<double>> TimeOnce(
        NativeContext context, int[] tokens, int depth, int[] sizes, int repeats, Action stepped, CancellationToken cancellationToken)
    {
        var timings = sizes.ToDictionary(size => size, _ => new List<double>(repeats));
        for (var repeat = 0; repeat <= repeats; repeat++)
        {
            foreach (var size in repeat % 2 == 0 ? sizes : sizes.Reverse())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var started = Stopwatch.GetTimestamp();
                context.Decode(tokens.AsSpan(depth, size), depth, logitsForAll: true);
                context.Synchronize();
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                context.TruncateFrom(depth);
                if (repeat > 0)
                {
                    timings[size].Add(elapsed);
                }

                stepped();
            }
        }

        return timings;
    }

    /// <summary>
    /// Share of the batch sizes whose slowest repeat took more than <see cref="SpreadLimit"/> times their fastest; 0 when
    /// single-token decodes are too quick to judge (<see cref="MinimumJudgedMilliseconds"/>) or a point has one repeat.
    /// </summary>
    internal static double DisturbedShare(IReadOnlyDictionary<int, List<double>> timings)
    {
        if (timings[1].Count < 2 || Median.Of(timings[1]) < MinimumJudgedMilliseconds)
        {
            return 0;
        }

        return timings.Values.Count(repeats => repeats.Max() > SpreadLimit * repeats.Min()) / (double)timings.Count;
    }

    /// <summary>Ordinary (non-special) tokens cycling through the vocabulary, so nothing ends generation early.</summary>
    internal static int[] FillerTokens(Models.LlamaModel model, int count)
    {
        var vocabulary = model.Info.VocabularySize;
        var tokens = new int[count];
        var candidate = vocabulary / 3;
        for (var i = 0; i < count; i++)
        {
            do
            {
                candidate = (candidate + 7919) % vocabulary;
            }
            while (model.IsEndOfGeneration(candidate) || candidate < 3);

            tokens[i] = candidate;
        }

        return tokens;
    }
}
