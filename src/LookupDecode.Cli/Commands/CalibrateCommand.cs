using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using LookupDecode.Calibration;
using LookupDecode.Cli.Output;
using LookupDecode.Models;
using Spectre.Console;

namespace LookupDecode.Cli.Commands;

/// <summary><c>lookupdecode calibrate</c>: measure what verifying k tokens costs here, store it for adaptive drafting, print it.</summary>
internal static class CalibrateCommand
{
    public static Command Create(CliContext cli)
    {
        var model = new ModelArguments();
        var maxBatch = new Option<int>("--max-batch") { Description = "Largest batch to time (1…256).", DefaultValueFactory = _ => 32 };
        var depths = new Option<string>("--depths")
        {
            Description = "Context depths to time at (comma-separated), or auto: 0, 256, 1024 and 2048 as far as --ctx holds them, and the deepest it allows below 2048.",
            DefaultValueFactory = _ => "auto",
        };
        var repeat = new Option<int>("--repeat") { Description = "Timed runs per point (median kept).", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "Print the curve as JSON." };
        var store = new Option<string?>("--store") { Description = "Directory of stored calibrations (default: the user cache directory)." };
        var command = new Command("calibrate", "Time llama_decode for batches of 1…k tokens at several depths on this machine, store the curve for "
                                               + "adaptive drafting (--draft auto) and print T(k)/T(1).");
        model.AddTo(command);
        command.Options.Add(maxBatch);
        command.Options.Add(depths);
        command.Options.Add(repeat);
        command.Options.Add(json);
        command.Options.Add(store);
        command.SetAction((result, cancellationToken) =>
        {
            var options = model.ToOptions(result);
            var largest = result.GetValue(maxBatch);
            if (largest is < 1 or > 256)
            {
                throw new InvalidOptionException(maxBatch.Name, $"must be between 1 and 256, was {largest}");
            }

            var depthText = result.GetValue(depths)!.Trim();
            var depthList = depthText.Equals("auto", StringComparison.OrdinalIgnoreCase)
                ? DecodeCostMeasurement.DefaultDepths(options.ContextSize, largest)
                : depthText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(text => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var depth) && depth >= 0
                        ? depth
                        : throw new InvalidOptionException(depths.Name, $"'{text}' is not a depth"))
                    .ToArray();
            if (depthList.Length == 0)
            {
                throw new InvalidOptionException(depths.Name, "needs at least one depth");
            }

            if ((long)depthList.Max() + largest >= options.ContextSize)
            {
                throw new InvalidOptionException(depths.Name, $"the deepest depth plus the largest batch ({depthList.Max()} + {largest}) must fit the context of {options.ContextSize} tokens (--ctx)");
            }

            if (result.GetValue(repeat) is < 1 or > 1000)
            {
                throw new InvalidOptionException(repeat.Name, $"must be between 1 and 1000, was {result.GetValue(repeat)}");
            }

            using var loggers = cli.CreateLoggerFactory(result.GetValue(model.Verbose));
            using var llama = LlamaModel.Load(model.PathOf(result, cli), options, loggers.CreateLogger("LookupDecode"));
            using var session = llama.CreateSession();
            var curve = ConsoleFactory.WithProgress(cli.Error, "calibrating", report => DecodeCostMeasurement.Measure(
                session, Enumerable.Range(1, largest).ToArray(), depthList, result.GetValue(repeat), new InlineProgress<double>(report), cancellationToken));
            var path = CostModelStore.PathFor(result.GetValue(store) ?? CostModelStore.DefaultDirectory, llama.Path, Native.LlamaRuntime.Describe(),
                options.EffectiveThreads, options.EffectiveBatchSize, CostModelStore.ContextSettings(session.KvCacheType, options.FlashAttention));
            // A run other load disturbed is shown, never stored: adaptive drafting would price every later step by it.
            var stored = curve.Disturbance is null ? path : null;
            if (stored is not null)
            {
                CostModelStore.Save(stored, curve);
            }

            var outcome = stored is null ? CliApplication.Disturbed : CliApplication.Success;
            if (result.GetValue(json))
            {
                // snake_case like every JSON this tool prints; `replay --cost-curve` reads it back.
                var document = new System.Text.Json.Nodes.JsonObject
                {
                    ["model"] = curve.ModelName,
                    ["backend"] = curve.Backend,
                    ["threads"] = curve.Threads,
                    ["kv_cache_type"] = session.KvCacheType.ToString().ToLowerInvariant(),
                    ["stored"] = stored,
                    ["disturbance"] = curve.Disturbance,
                    ["points"] = new System.Text.Json.Nodes.JsonArray([.. curve.Points.Select(point => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonObject
                    {
                        ["batch_size"] = point.BatchSize,
                        ["depth"] = point.Depth,
                        ["milliseconds"] = Math.Round(point.Milliseconds, 4),
                        ["relative_cost"] = Math.Round(point.RelativeCost, 4),
                    })]),
                };
                cli.Output.WriteLine(document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                ReportDisturbance(cli, curve);
                return Task.FromResult(outcome);
            }

            var table = new Table().Title($"T(k)/T(1) on {llama.Info.Name}, {options.EffectiveThreads} threads").Border(TableBorder.Rounded);
            table.AddColumn(new TableColumn("k").RightAligned());
            foreach (var depth in curve.Depths)
            {
                table.AddColumn(new TableColumn($"depth {depth}").RightAligned());
            }

            foreach (var size in curve.Points.Select(point => point.BatchSize).Distinct().Order())
            {
                table.AddRow([size.ToString(CultureInfo.InvariantCulture), .. curve.Depths.Select(depth =>
                {
                    var point = curve.Points.Single(p => p.BatchSize == size && p.Depth == depth);
                    return string.Create(CultureInfo.InvariantCulture, $"{point.RelativeCost:F2} ({point.Milliseconds:F1} ms)");
                })]);
            }

            ConsoleFactory.For(cli.Output).Write(table);
            if (stored is not null)
            {
                cli.Output.WriteLine($"stored: {stored}");
            }

            ReportDisturbance(cli, curve);
            return Task.FromResult(outcome);
        });
        return command;
    }

    private static void ReportDisturbance(CliContext cli, DecodeCostCurve curve)
    {
        if (curve.Disturbance is { } disturbance)
        {
            cli.Error.WriteLine($"error: not stored: {disturbance}; run again with nothing else running");
        }
    }
}
