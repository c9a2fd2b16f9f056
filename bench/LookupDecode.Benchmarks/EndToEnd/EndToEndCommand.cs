using LookupDecode.Models;
using System.CommandLine;

namespace LookupDecode.Benchmarks.EndToEnd;

/// <summary>
/// <c>dotnet run --project bench/LookupDecode.Benchmarks -c Release -- e2e --model M [options]</c>.
/// </summary>
internal static class EndToEndCommand
{
    public static int Run(string[] args)
    {
        var model = new Option<string>("--model") { Required = true, Description = "GGUF model." };
        var prompts = new Option<string>("--prompts") { Description = "Directory of task prompts (*.txt).", DefaultValueFactory = _ => DefaultPrompts() };
        var modes = new Option<string>("--modes") { DefaultValueFactory = _ => "lookup,prompt-lookup" };
        var drafts = new Option<string>("--drafts") { DefaultValueFactory = _ => "3,10" };
        var variants = new Option<string?>("--variants") { Description = "Explicit variants: greedy,auto,lookup-d3,prompt-lookup-d10,lookup-auto,… (replaces --modes × --drafts)." };
        var upstreamDrafts = new Option<string?>("--upstream-drafts") { Description = "Draft sizes for llama-lookup (0 = its plain decoding)." };
        var maxTokens = new Option<int>("--max-tokens") { DefaultValueFactory = _ => 128 };
        var repeat = new Option<int>("--repeat") { DefaultValueFactory = _ => 3 };
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => Math.Min(Environment.ProcessorCount, 16) };
        var ctx = new Option<int>("--ctx") { DefaultValueFactory = _ => 2048 };
        var output = new Option<string>("--out") { DefaultValueFactory = _ => Path.Combine("artifacts", "bench-e2e") };
        var upstream = new Option<string?>("--upstream-bin") { Description = "Directory with upstream llama-lookup (or LOOKUPDECODE_UPSTREAM_BIN)." };
        var draftModel = new Option<string?>("--draft-model", "-md") { Description = "Draft model (same vocabulary) for draft-model variants and auto." };
        var draftMin = new Option<double?>("--draft-p-min") { Description = "The draft model's confidence floor (default: 0.75 for fixed drafts, none for adaptive ones)." };
        var speculativeDrafts = new Option<string?>("--upstream-speculative-drafts") { Description = "Draft sizes for upstream llama-speculative with --draft-model (same run)." };
        var noCurve = new Option<bool>("--no-cost-curve");
        var maxBatch = new Option<int>("--cost-curve-max-batch") { DefaultValueFactory = _ => 32 };
        var kvType = new Option<string>("--kv-type")
        {
            Description = "KV cache type of our runs: auto (Q8_0 where heads allow), f16 (what upstream's llama-speculative runs on: same-KV comparisons) or q8_0.",
            DefaultValueFactory = _ => "auto",
        };
        kvType.AcceptOnlyFromAmong([.. KvCacheTypeNames.All]);

        var command = new RootCommand("End-to-end benchmark: tasks × modes × draft sizes, optional upstream llama-lookup, verification cost curve.")
        {
            model, prompts, modes, drafts, variants, upstreamDrafts, maxTokens, repeat, threads, ctx, output, upstream, draftModel, draftMin, speculativeDrafts, noCurve, maxBatch, kvType,
        };
        command.SetAction(result =>
        {
            var draftList = Split(result.GetValue(drafts)!);
            if (draftList.FirstOrDefault(draft => draft != "auto" && !IsCount(draft)) is { } badDraft)
            {
                Console.Error.WriteLine($"error: --drafts: '{badDraft}' is neither 'auto' nor a draft size (1-{LookupDecode.Drafting.DraftingPlan.MaxSupportedLength})");
                return 2;
            }

            var upstreamList = result.GetValue(upstreamDrafts) is { } upstreamText ? Split(upstreamText) : [];
            if (upstreamList.FirstOrDefault(draft => draft != "0" && !IsCount(draft)) is { } badUpstream)
            {
                Console.Error.WriteLine($"error: --upstream-drafts: '{badUpstream}' is not a draft size (0 = plain decoding)");
                return 2;
            }

            if (result.GetValue(variants) is { } variantText && Split(variantText).FirstOrDefault(name => !LookupDecode.Drafting.DraftingPresets.IsKnown(name)) is { } badVariant)
            {
                Console.Error.WriteLine($"error: --variants: unknown preset '{badVariant}' (use {string.Join(", ", LookupDecode.Drafting.DraftingPresets.AllNames)}, PRESET-dN or PRESET-auto)");
                return 2;
            }

            var speculativeList = result.GetValue(speculativeDrafts) is { } speculativeText ? Split(speculativeText) : [];
            if (speculativeList.FirstOrDefault(draft => !IsCount(draft)) is { } badSpeculative)
            {
                Console.Error.WriteLine($"error: --upstream-speculative-drafts: '{badSpeculative}' is not a draft size");
                return 2;
            }

            if (speculativeList.Length > 0 && result.GetValue(draftModel) is null)
            {
                Console.Error.WriteLine("error: --upstream-speculative-drafts needs --draft-model");
                return 2;
            }

            var settings = new EndToEndSettings
            {
                Model = result.GetValue(model)!,
                PromptFiles = Directory.EnumerateFiles(result.GetValue(prompts)!, "*.txt").Order(StringComparer.Ordinal).ToArray(),
                Modes = Split(result.GetValue(modes)!),
                Drafts = draftList,
                Variants = result.GetValue(variants) is { } list ? Split(list) : [],
                UpstreamDrafts = [.. upstreamList.Select(draft => int.Parse(draft, System.Globalization.CultureInfo.InvariantCulture))],
                MaxTokens = result.GetValue(maxTokens),
                Repeats = result.GetValue(repeat),
                Threads = result.GetValue(threads),
                ContextSize = result.GetValue(ctx),
                OutputDirectory = result.GetValue(output)!,
                UpstreamBin = result.GetValue(upstream) ?? NullIfEmpty(Environment.GetEnvironmentVariable("LOOKUPDECODE_UPSTREAM_BIN")),
                DraftModel = result.GetValue(draftModel),
                DraftMinProbability = result.GetValue(draftMin),
                UpstreamSpeculativeDrafts = [.. speculativeList.Select(draft => int.Parse(draft, System.Globalization.CultureInfo.InvariantCulture))],
                CostCurve = !result.GetValue(noCurve),
                CostCurveMaxBatch = result.GetValue(maxBatch),
                KvCacheType = KvCacheTypeNames.Parse(result.GetValue(kvType)),
            };
            using var interrupt = new LookupDecode.Signals.InterruptSignal();
            return EndToEndSuite.Run(settings, Console.Out, interrupt.Token);
        });
        return command.Parse(args).Invoke();
    }

    private static bool IsCount(string text)
        => int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count)
           && count is >= 1 and <= LookupDecode.Drafting.DraftingPlan.MaxSupportedLength;

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static string[] Split(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string DefaultPrompts() => Path.Combine(Micro.BenchmarkPaths.Fixtures, "prompts");
}
