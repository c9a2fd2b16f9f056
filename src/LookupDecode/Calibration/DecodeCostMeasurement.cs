using System.Diagnostics;
using LookupDecode.Decoding;
using LookupDecode.Native;

namespace LookupDecode.Calibration;

/// <summary>
/// Times <c>llama_decode</c> for batches of several sizes at several context depths, the way verification uses it
/// (logits on every position, rejected positions removed afterwards). Batch sizes are interleaved within each
/// repeat so that drifting machine load affects them alike; the median of the repeats is kept.
/// </summary>
public static class DecodeCostMeasurement
{
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

                    progress?.Report(++done / (double)total);
                }
            }

            var single = Median.Of(timings[1]);
            points.AddRange(sizes.Select(size =>
            {
                var median = Median.Of(timings[size]);
                return new DecodeCostPoint(size, depth, median, median / single);
            }));
        }

        context.Clear();
        return new DecodeCostCurve(session.Model.Info.Name, NativeRuntime.Describe(), session.Model.Options.EffectiveThreads, points);
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
