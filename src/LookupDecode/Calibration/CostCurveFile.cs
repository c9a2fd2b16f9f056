using System.Text.Json;

namespace LookupDecode.Calibration;

/// <summary>
/// Reads a verification cost curve from a file: <c>{ "points": [[k, T(k)/T(1)], …] }</c> (relative costs by batch size,
/// batch 1 required), <c>calibrate --json</c>'s output (<c>points</c> of <c>{ batch_size, depth, milliseconds }</c>) or a
/// calibration <see cref="CostModelStore"/> wrote. Batch sizes 1–<see cref="MaxBatchSize"/>;
/// costs positive and finite; they are normalised so that a batch of 1 costs 1.
/// </summary>
public static class CostCurveFile
{
    /// <summary>Largest batch size a curve may give.</summary>
    public const int MaxBatchSize = DecodeCostCurve.MaxBatchSize;

    /// <summary>The name that stands for a flat, GPU-like curve (every batch up to 64 costs one step) instead of a file.</summary>
    public const string FlatName = "flat";

    /// <summary>Loads <paramref name="path"/>, or a flat curve for <see cref="FlatName"/>.</summary>
    /// <exception cref="CostCurveFormatException">The file is not a valid curve.</exception>
    public static CostModel Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path == FlatName)
        {
            return CostModel.Flat(64);
        }

        switch (Files.SafeFiles.KindOf(path))
        {
            case Files.FileKind.Missing:
                throw new CostCurveFormatException(path, "does not exist");
            case not Files.FileKind.Regular and var kind:
                throw new CostCurveFormatException(path, $"is {Files.SafeFiles.Describe(kind)}, not a regular file");
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("points", out var pairs) && pairs.ValueKind == JsonValueKind.Array)
            {
                return new CostModel(pairs.GetArrayLength() > 0 && pairs[0].ValueKind == JsonValueKind.Object
                    ? Checked(path, FromMeasuredPoints(path, pairs))
                    : FromPairs(path, pairs));
            }

            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("Points", out _))
            {
                var curve = JsonSerializer.Deserialize<DecodeCostCurve>(root.GetRawText());
                return new CostModel(Checked(path, curve));
            }

            throw new CostCurveFormatException(path, "has neither a \"points\" array of [k, relative cost] pairs nor a stored calibration's \"Points\"");
        }
        catch (JsonException exception)
        {
            throw new CostCurveFormatException(path, $"is not valid JSON ({exception.Message})", exception);
        }
    }

    private static DecodeCostCurve FromPairs(string path, JsonElement pairs)
    {
        var points = new SortedDictionary<int, double>();
        foreach (var pair in pairs.EnumerateArray())
        {
            if (pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() != 2
                || pair[0].ValueKind != JsonValueKind.Number || !pair[0].TryGetInt32(out var batch)
                || pair[1].ValueKind != JsonValueKind.Number || !pair[1].TryGetDouble(out var cost))
            {
                throw new CostCurveFormatException(path, $"point {pair.GetRawText()} is not [batch size, relative cost]");
            }

            if (!points.TryAdd(batch, cost))
            {
                throw new CostCurveFormatException(path, $"batch size {batch} appears twice");
            }
        }

        if (!points.TryGetValue(1, out var single))
        {
            throw new CostCurveFormatException(path, "has no point for a batch of 1");
        }

        // The curve's own soundness rule (batch sizes in range, positive finite costs) on the values as given, then normalised.
        Checked(path, new DecodeCostCurve(Path.GetFileName(path), "file", 0, [.. points.Select(point => new DecodeCostPoint(point.Key, 0, point.Value, 0))]));
        return new DecodeCostCurve(Path.GetFileName(path), "file", 0,
            [.. points.Select(point => new DecodeCostPoint(point.Key, 0, point.Value / single, point.Value / single))]) { HasMeasuredTimes = false };
    }

    private static DecodeCostCurve FromMeasuredPoints(string path, JsonElement points)
    {
        var measured = new List<DecodeCostPoint>();
        foreach (var point in points.EnumerateArray())
        {
            if (point.ValueKind != JsonValueKind.Object
                || !point.TryGetProperty("batch_size", out var batch) || batch.ValueKind != JsonValueKind.Number || !batch.TryGetInt32(out var batchSize)
                || !point.TryGetProperty("depth", out var depthValue) || depthValue.ValueKind != JsonValueKind.Number || !depthValue.TryGetInt32(out var depth)
                || !point.TryGetProperty("milliseconds", out var time) || time.ValueKind != JsonValueKind.Number || !time.TryGetDouble(out var milliseconds))
            {
                throw new CostCurveFormatException(path, $"point {point.GetRawText()} is not {{ batch_size, depth, milliseconds }}");
            }

            measured.Add(new DecodeCostPoint(batchSize, depth, milliseconds, 0));
        }

        return new DecodeCostCurve(Path.GetFileName(path), "file", 0, measured);
    }

    private static DecodeCostCurve Checked(string path, DecodeCostCurve? curve)
    {
        if (curve is null)
        {
            throw new CostCurveFormatException(path, "holds no measured points");
        }

        return curve.Problem() is { } problem ? throw new CostCurveFormatException(path, problem) : curve;
    }
}
