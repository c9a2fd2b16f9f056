using System.CommandLine;
using System.Globalization;
using System.Text;
using LookupDecode.Calibration;
using LookupDecode.Decoding;
using LookupDecode.Models;

namespace LookupDecode.Benchmarks.Matrix;

/// <summary>
/// <c>matrix --model M [--kv f16,q8_0] [--fa auto,on,off] [--depths 0,256,512,1024,2048] [--max-width 16] [--repeat 3]
/// [--threads 2] [--out DIR]</c>: for every KV cache type × flash-attention setting llama.cpp accepts, the decode time
/// of batches of 1…max-width tokens at each depth (interleaved, median of the repeats, disturbed depths measured again)
/// and batch invariance there (the largest logit difference between a batch and the same tokens decoded one by one, and
/// how many argmax differ): which settings are exact, and what verifying costs in each. Writes matrix.csv and matrix.md.
/// </summary>
internal static class MatrixCommand
{
    public static int Run(string[] args)
    {
        var model = new Option<string>("--model") { Required = true, Description = "GGUF model." };
        var kvTypes = new Option<string>("--kv") { DefaultValueFactory = _ => "f16,q8_0" };
        var flash = new Option<string>("--fa") { DefaultValueFactory = _ => "auto,on,off" };
        var depths = new Option<string>("--depths") { DefaultValueFactory = _ => "0,256,512,1024,2048" };
        var maxWidth = new Option<int>("--max-width") { DefaultValueFactory = _ => 16 };
        var invarianceWidths = new Option<string>("--invariance-widths") { DefaultValueFactory = _ => "2,4,8,16" };
        var repeat = new Option<int>("--repeat") { DefaultValueFactory = _ => 3 };
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => Math.Min(Environment.ProcessorCount, 16) };
        var output = new Option<string>("--out") { DefaultValueFactory = _ => Path.Combine("artifacts", "bench-matrix") };
        var command = new RootCommand("Decode cost and batch invariance per KV type, flash attention, depth and width.")
        {
            model, kvTypes, flash, depths, maxWidth, invarianceWidths, repeat, threads, output,
        };
        command.SetAction(result =>
        {
            var depthList = Numbers(result.GetValue(depths)!);
            var widths = Enumerable.Range(1, result.GetValue(maxWidth)).ToArray();
            var probeWidths = Numbers(result.GetValue(invarianceWidths)!).Where(width => width <= widths[^1]).ToArray();
            var settings = (from kv in Split(result.GetValue(kvTypes)!)
                            from fa in Split(result.GetValue(flash)!)
                            where !(kv == "q8_0" && fa == "off")
                            select (Kv: KvCacheTypeNames.Parse(kv), Fa: FlashAttentionNames.Parse(fa)))
                           .ToArray();
            var rows = new List<MatrixRow>();
            var invariance = new List<InvarianceRow>();
            var disturbances = new List<string>();
            foreach (var (kv, fa) in settings)
            {
                var options = new ModelOptions
                {
                    ContextSize = depthList.Max() + widths[^1] + 16,
                    Threads = result.GetValue(threads),
                    KvCacheType = kv,
                    FlashAttention = fa,
                    CheckMode = ModelCheckMode.Managed,
                };
                using var llama = LlamaModel.Load(result.GetValue(model)!, options);
                GenerationSession session;
                try
                {
                    session = llama.CreateSession();
                }
                catch (InvalidOptionException exception)
                {
                    disturbances.Add($"{kv}/{fa} not measured: {exception.Message}");
                    continue;
                }

                using var owned = session;
                Console.Error.WriteLine($"{llama.Info.Name}: kv {session.KvCacheType}, flash attention {fa} …");
                var curve = DecodeCostMeasurement.Measure(session, widths, depthList, result.GetValue(repeat));
                if (curve.Disturbance is { } disturbance)
                {
                    disturbances.Add($"{session.KvCacheType}/{fa}: {disturbance}");
                }

                rows.AddRange(curve.Points.Select(point => new MatrixRow(session.KvCacheType, fa, point.Depth, point.BatchSize, point.Milliseconds, point.RelativeCost)));
                foreach (var depth in depthList)
                {
                    foreach (var width in probeWidths)
                    {
                        var (difference, mismatches) = session.MeasureBatchInvariance(depth, width);
                        invariance.Add(new InvarianceRow(session.KvCacheType, fa, depth, width, difference, mismatches));
                    }
                }
            }

            var folder = result.GetValue(output)!;
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "matrix.csv"), Csv(rows, invariance));
            var report = Markdown(Path.GetFileName(result.GetValue(model)!), result.GetValue(threads), rows, invariance, disturbances);
            File.WriteAllText(Path.Combine(folder, "matrix.md"), report);
            Console.WriteLine(report);
            return disturbances.Any(line => line.Contains("busy", StringComparison.Ordinal)) ? 4 : 0;
        });
        return command.Parse(args).Invoke();
    }

    private static string Csv(List<MatrixRow> rows, List<InvarianceRow> invariance)
    {
        var text = new StringBuilder("kind,kv,flash_attention,depth,width,milliseconds,relative_cost,max_logit_difference,argmax_mismatches\n");
        foreach (var row in rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"cost,{row.Kv},{row.Fa},{row.Depth},{row.Width},{row.Milliseconds:F3},{row.Relative:F4},,\n");
        }

        foreach (var row in invariance)
        {
            text.Append(CultureInfo.InvariantCulture, $"invariance,{row.Kv},{row.Fa},{row.Depth},{row.Width},,,{row.MaxDifference:G4},{row.Mismatches}\n");
        }

        return text.ToString();
    }

    private static string Markdown(string model, int threads, List<MatrixRow> rows, List<InvarianceRow> invariance, List<string> disturbances)
    {
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"# {model}, {threads} threads\n\n");
        foreach (var setting in rows.GroupBy(row => (row.Kv, row.Fa)))
        {
            var depths = setting.Select(row => row.Depth).Distinct().Order().ToArray();
            text.Append(CultureInfo.InvariantCulture, $"## KV {setting.Key.Kv}, flash attention {setting.Key.Fa}\n\nT(k)/T(1) (T(1) in ms)\n\n| k |");
            text.Append(string.Join("", depths.Select(depth => $" depth {depth} |"))).Append('\n');
            text.Append("|---|").Append(string.Concat(depths.Select(_ => "---|"))).Append('\n');
            foreach (var width in setting.Select(row => row.Width).Distinct().Order())
            {
                text.Append(CultureInfo.InvariantCulture, $"| {width} |");
                foreach (var depth in depths)
                {
                    var point = setting.Single(row => row.Depth == depth && row.Width == width);
                    text.Append(width == 1
                        ? string.Create(CultureInfo.InvariantCulture, $" {point.Milliseconds:F1} ms |")
                        : string.Create(CultureInfo.InvariantCulture, $" {point.Relative:F2} |"));
                }

                text.Append('\n');
            }

            text.Append("\nBatch invariance: largest logit difference (argmax mismatches) of a batch against the same tokens one by one\n\n| width |");
            text.Append(string.Join("", depths.Select(depth => $" depth {depth} |"))).Append('\n');
            text.Append("|---|").Append(string.Concat(depths.Select(_ => "---|"))).Append('\n');
            foreach (var width in invariance.Where(row => row.Kv == setting.Key.Kv && row.Fa == setting.Key.Fa).Select(row => row.Width).Distinct().Order())
            {
                text.Append(CultureInfo.InvariantCulture, $"| {width} |");
                foreach (var depth in depths)
                {
                    var probe = invariance.Single(row => row.Kv == setting.Key.Kv && row.Fa == setting.Key.Fa && row.Depth == depth && row.Width == width);
                    text.Append(string.Create(CultureInfo.InvariantCulture, $" {probe.MaxDifference:G3} ({probe.Mismatches}) |"));
                }

                text.Append('\n');
            }

            text.Append('\n');
        }

        foreach (var disturbance in disturbances)
        {
            text.Append("- ").Append(disturbance).Append('\n');
        }

        return text.ToString();
    }

    private static string[] Split(string text) => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static int[] Numbers(string text) => Split(text).Select(item => int.Parse(item, CultureInfo.InvariantCulture)).ToArray();

    private sealed record MatrixRow(KvCacheType Kv, FlashAttention Fa, int Depth, int Width, double Milliseconds, double Relative);

    private sealed record InvarianceRow(KvCacheType Kv, FlashAttention Fa, int Depth, int Width, float MaxDifference, int Mismatches);
}
