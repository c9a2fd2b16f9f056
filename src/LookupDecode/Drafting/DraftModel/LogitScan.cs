using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LookupDecode.Drafting.DraftModel;

/// <summary>
/// The scans a draft model runs over its logits each drafted token, written out and compiled fully optimized on first
/// use: a draft model drafts a few hundred tokens per generation, too few for tiered compilation to promote generic
/// library code past its first, unoptimized tier (measured: <c>TensorPrimitives.Exp</c> over 32,000 logits 200–1000 µs
/// for its first thousands of calls, 14 µs after — against ~0.3 ms for a small draft model's whole decode).
/// </summary>
internal static class LogitScan
{
    /// <summary>The largest value (NaN when any value is NaN or the span is empty).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Max(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty)
        {
            return float.NaN;
        }

        var i = 0;
        var max = float.NegativeInfinity;
        var nan = false;
        if (Vector256.IsHardwareAccelerated && values.Length >= Vector256<float>.Count)
        {
            ref var start = ref MemoryMarshal.GetReference(values);
            var accumulator = Vector256.Create(float.NegativeInfinity);
            var unordered = Vector256<float>.Zero;
            for (; i <= values.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var block = Vector256.LoadUnsafe(ref start, (nuint)i);
                accumulator = Vector256.Max(accumulator, block);
                unordered |= ~Vector256.Equals(block, block);
            }

            nan = unordered != Vector256<float>.Zero;
            for (var lane = 0; lane < Vector256<float>.Count; lane++)
            {
                max = MathF.Max(max, accumulator[lane]);
            }
        }

        for (; i < values.Length; i++)
        {
            nan |= float.IsNaN(values[i]);
            max = MathF.Max(max, values[i]);
        }

        return nan ? float.NaN : max;
    }

    /// <summary>The softmax probability of a logit <paramref name="max"/> that is the largest of <paramref name="logits"/>: 1 / Σ e^(l − max).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double ShareOfMax(ReadOnlySpan<float> logits, float max)
    {
        var i = 0;
        var sum = 0.0;
        if (Vector256.IsHardwareAccelerated && logits.Length >= Vector256<float>.Count)
        {
            ref var start = ref MemoryMarshal.GetReference(logits);
            var shift = Vector256.Create(max);
            var accumulator = Vector256<float>.Zero;
            for (; i <= logits.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                accumulator += Vector256.Exp(Vector256.LoadUnsafe(ref start, (nuint)i) - shift);
            }

            sum = Vector256.Sum(accumulator);
        }

        for (; i < logits.Length; i++)
        {
            sum += MathF.Exp(logits[i] - max);
        }

        return 1 / sum;
    }

    /// <summary>The first index holding <paramref name="value"/> (a value of the span, not NaN), −1 when none does.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int IndexOf(ReadOnlySpan<float> values, float value)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated && values.Length >= Vector256<float>.Count)
        {
            ref var start = ref MemoryMarshal.GetReference(values);
            var target = Vector256.Create(value);
            for (; i <= values.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var matches = Vector256.Equals(Vector256.LoadUnsafe(ref start, (nuint)i), target).ExtractMostSignificantBits();
                if (matches != 0)
                {
                    return i + System.Numerics.BitOperations.TrailingZeroCount(matches);
                }
            }
        }

        for (; i < values.Length; i++)
        {
            if (values[i] == value)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// The index of the largest logit, and its margin over the runner-up (infinite for a single logit); −1 when a logit is
    /// NaN or the largest is infinite (nothing sensible to draft).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (int Best, float Margin) Top(ReadOnlySpan<float> logits)
    {
        var max = Max(logits);
        if (!float.IsFinite(max))
        {
            return (-1, 0);
        }

        var best = IndexOf(logits, max);
        if (logits.Length == 1)
        {
            return (best, float.PositiveInfinity);
        }

        var runnerUp = MathF.Max(best > 0 ? Max(logits[..best]) : float.NegativeInfinity, best < logits.Length - 1 ? Max(logits[(best + 1)..]) : float.NegativeInfinity);
        return (best, max - runnerUp);
    }
}
