using LookupDecode.Calibration;
using LookupDecode.Cli.Commands;
using LookupDecode.Decoding;
using LookupDecode.Models;

namespace LookupDecode.Cli.Output;

/// <summary>First use of adaptive drafting on a model measures its verification cost: say so, and show progress.</summary>
internal static class CalibrationNotice
{
    /// <summary>Measures (with a progress bar and a note on stderr) the cost curve <paramref name="options"/> will need, unless it is known.</summary>
    public static void Prepare(CliContext cli, LlamaModel model, GenerationOptions options)
    {
        var plan = options.Drafting;
        var maxBatch = Math.Max(plan.MaxLength + 1, 17);
        if (plan.IsGreedy || !plan.Adaptive || options.Adaptive.CostCurve is not null || model.HasCostCurve(maxBatch, options.Adaptive.CostModelDirectory))
        {
            return;
        }

        var directory = options.Adaptive.CostModelDirectory ?? CostModelStore.DefaultDirectory;
        cli.Error.WriteLine($"first adaptive run on {model.Info.Name} with these settings: measuring what verifying 1-{maxBatch} tokens costs here "
                            + $"(once; stored in {directory})");
        ConsoleFactory.WithProgress(cli.Error, "calibrating",
            report => model.CostCurve(maxBatch, options.Adaptive.CostModelDirectory, new InlineProgress<double>(report)));
    }
}
