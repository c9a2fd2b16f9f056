using System.Globalization;
using LookupDecode.Gguf;

namespace LookupDecode.Models.Gate;

/// <summary>Reading metadata for the gate: integers of any width without overflow, one refusal type for every rule.</summary>
internal static class GateValues
{
    /// <summary>A refusal of <paramref name="file"/>'s metadata (reported at the start of the metadata, byte 24).</summary>
    public static GgufFormatException Refuse(GgufFile file, string rule) => new(file.Path, Math.Min(24, file.FileLength), rule);

    /// <summary>An optional integer key within [<paramref name="minimum"/>, <paramref name="maximum"/>], or <paramref name="fallback"/> when absent.</summary>
    public static long OptionalCount(GgufFile file, string key, long minimum, long maximum, long fallback)
    {
        if (!file.TryGetValue(key, out var value))
        {
            return fallback;
        }

        if (value.AsInt64() is not { } count || count < minimum || count > maximum)
        {
            throw Refuse(file, $"'{key}' must be an integer from {minimum} to {maximum}, not {value.Type} {value}");
        }

        return count;
    }

    /// <summary>A required integer key within [<paramref name="minimum"/>, <paramref name="maximum"/>].</summary>
    public static long RequiredCount(GgufFile file, string key, long minimum, long maximum)
    {
        if (!file.TryGetValue(key, out _))
        {
            throw Refuse(file, $"the architecture needs '{key}', which is missing");
        }

        return OptionalCount(file, key, minimum, maximum, 0);
    }

    /// <summary>
    /// A count that is one integer or one integer per layer (llama.cpp's <c>get_key_or_arr</c>): the per-layer values,
    /// or <c>null</c> when the key is absent. Arrays must hold integers (llama.cpp asserts on float or string arrays)
    /// and one per layer.
    /// </summary>
    public static long[]? PerLayer(GgufFile file, string key, long layers, long minimum, long maximum)
    {
        if (!file.TryGetValue(key, out var value))
        {
            return null;
        }

        if (value.AsArray() is { } array)
        {
            if (!GgufMetadataValue.IsIntegerType(array.ElementType) || array.Length != layers)
            {
                throw Refuse(file, $"'{key}' as an array must hold one integer per layer ({layers}), not {array.Length} {array.ElementType}");
            }

            var values = new long[array.Length];
            for (var i = 0; i < values.Length; i++)
            {
                var item = array.Items.GetValue(i)!;
                if (GgufMetadataValue.IntegerOf(item) is not { } number || number < minimum || number > maximum)
                {
                    throw Refuse(file, $"'{key}' gives layer {i} the value {Convert.ToString(item, CultureInfo.InvariantCulture)} ({minimum} to {maximum} allowed)");
                }

                values[i] = number;
            }

            return values;
        }

        if (value.AsInt64() is not { } scalar || scalar < minimum || scalar > maximum)
        {
            throw Refuse(file, $"'{key}' must be an integer from {minimum} to {maximum} (or one per layer), not {value.Type} {value}");
        }

        var uniform = new long[layers];
        Array.Fill(uniform, scalar);
        return uniform;
    }

    /// <summary>An optional float key that must be finite and within [<paramref name="minimum"/>, <paramref name="maximum"/>].</summary>
    public static double? OptionalReal(GgufFile file, string key, double minimum, double maximum, bool exclusiveMinimum = false)
    {
        if (!file.TryGetValue(key, out var value))
        {
            return null;
        }

        if (value.AsDouble() is not { } number || !double.IsFinite(number) || number < minimum || (exclusiveMinimum && number <= minimum) || number > maximum)
        {
            var bound = exclusiveMinimum ? $"above {minimum.ToString(CultureInfo.InvariantCulture)}" : $"from {minimum.ToString(CultureInfo.InvariantCulture)}";
            throw Refuse(file, $"'{key}' must be a finite number {bound} to {maximum.ToString(CultureInfo.InvariantCulture)}, not {value.Type} {value}");
        }

        return number;
    }
}
