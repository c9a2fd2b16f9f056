using System.CommandLine;
using LookupDecode.Cli.Output;
using LookupDecode.Comparison;
using LookupDecode.Decoding;
using LookupDecode.Models;

namespace LookupDecode.Cli.Commands;

/// <summary><c>lookupdecode compare</c>: the seed experiment — every mode on one prompt, same model, same run.</summary>
internal static class CompareCommand
{
    public static Command Create(CliContext cli)
    {
        var model = new ModelArguments();
        var generation = new GenerationArguments();
        var draftModel = new DraftModelArguments();
        var promptText = new PromptArguments();
        var modes = new Option<string>("--modes")
        {
            Description = $"Comma-separated drafting presets to run: {string.Join(", ", LookupDecode.Drafting.DraftingPresets.AllNames)}, PRESET-dN, PRESET-auto.",
            DefaultValueFactory = _ => "greedy,auto",
        };
        var repeat = new Option<int>("--repeat") { Description = "Measured runs per mode (median reported).", DefaultValueFactory = _ => 3 };
        var chat = new Option<bool>("--chat") { Description = "Format the prompt as a user message with the model's chat template." };
        var json = new Option<bool>("--json") { Description = "Print the comparison as JSON: { \"runs\": [ … ] }." };
        var output = new Option<DirectoryInfo?>("--out") { Description = "Also write comparison.json and comparison.csv into this directory." };

        var command = new Command("compare", "Compare drafting presets (default: greedy and auto) on one prompt: speed, speedup, memory, acceptance, identity.");
        model.AddTo(command);
        generation.AddTo(command);
        draftModel.AddTo(command);
        generation.MaxTokens.DefaultValueFactory = _ => 256;
        promptText.AddTo(command);
        // compare runs every preset of --modes; a single --mode would be silently ignored, so it is not offered.
        command.Options.Remove(generation.Mode);
        command.Options.Add(modes);
        command.Options.Add(repeat);
        command.Options.Add(chat);
        command.Options.Add(json);
        command.Options.Add(output);

        command.SetAction((result, cancellationToken) =>
        {
            var modelOptions = model.ToOptions(result);
            if (result.GetValue(generation.SuffixMemory) is not null)
            {
                throw new InvalidOptionException(generation.SuffixMemory.Name,
                    "compare runs the same prompt again and again: a memory of earlier outputs would let later runs copy earlier ones (use generate)");
            }

            var template = generation.ToOptions(result, result.GetValue(model.Model), result.GetValue(promptText.PromptFile)?.FullName, result.GetValue(draftModel.Path));
            var variants = ParseModes(result.GetValue(modes)!, template, result.GetValue(generation.Draft));
            draftModel.RequireConsistent(result, [.. variants.Select(variant => variant.Options.Drafting)], modes.Name);
            var options = new ComparisonOptions { Variants = variants, MaxTokens = template.MaxTokens, Repeats = result.GetValue(repeat) };
            try
            {
                options.Validate();
            }
            catch (InvalidOptionException exception) when (exception.OptionName == nameof(ComparisonOptions.Repeats))
            {
                throw new InvalidOptionException(repeat.Name, exception.Problem);
            }
            var text = promptText.Read(result);
            using var loggers = cli.CreateLoggerFactory(result.GetValue(model.Verbose));
            using var llama = LlamaModel.Load(model.PathOf(result, cli), modelOptions, loggers.CreateLogger("LookupDecode"));
            var prompt = result.GetValue(chat) ? llama.TokenizeChat([("user", text)]) : llama.Tokenize(text);
            using var draft = draftModel.Load(result, modelOptions, loggers.CreateLogger("LookupDecode"));
            variants = [.. variants.Select(variant => variant with { Options = draftModel.Apply(result, variant.Options, draft) })];
            options = options with { Variants = variants };
            using var session = llama.CreateSession();
            foreach (var variant in variants)
            {
                CalibrationNotice.Prepare(cli, llama, variant.Options);
            }

            var comparison = ConsoleFactory.WithProgress(cli.Error, "comparing", report => ModeComparison.Run(
                session, prompt, options, new InlineProgress<ComparisonProgress>(p => report(p.Completed / (double)p.Total)), cancellationToken));

            if (generation.SaveDynamicCache(result, template with { Drafting = DraftingPresetsWithLookup(variants) }) is { } saveError)
            {
                cli.Error.WriteLine($"error: the dynamic cache could not be saved: {saveError.Message}");
            }

            if (result.GetValue(output) is { } directory)
            {
                ComparisonReport.WriteFiles(directory.FullName, comparison);
            }

            if (result.GetValue(json))
            {
                cli.Output.WriteLine(ComparisonReport.ToJson(comparison));
            }
            else
            {
                ComparisonReport.WriteTable(cli.Output, comparison,
                    $"{llama.Info.Name}: {prompt.Length} prompt tokens, {options.MaxTokens} generated, median of {options.Repeats}");
            }

            if (comparison.Cancelled)
            {
                cli.Error.WriteLine($"cancelled: the table covers the {comparison.Repeats} repeats every mode completed");
                return Task.FromResult(CliApplication.Cancelled);
            }

            return Task.FromResult(comparison.AllIdentical ? CliApplication.Success : CliApplication.NotIdentical);
        });
        return command;
    }

    /// <summary>A plan with the lookup drafter when any compared variant drafted with it (so its dynamic cache is saved).</summary>
    private static LookupDecode.Drafting.DraftingPlan DraftingPresetsWithLookup(IEnumerable<ComparisonVariant> variants)
        => variants.FirstOrDefault(variant => variant.Options.Drafting.Drafters.Contains(LookupDecode.Drafting.DraftingPlan.Lookup))?.Options.Drafting
           ?? LookupDecode.Drafting.DraftingPlan.None;

    private static List<ComparisonVariant> ParseModes(string list, GenerationOptions template, string? draft)
    {
        var variants = new List<ComparisonVariant>();
        foreach (var name in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // --draft (when given) sets every preset's length, as it did for every mode.
            variants.Add(new ComparisonVariant(name, template with { Drafting = GenerationArguments.PlanFor(name, draft, "--modes") }));
        }

        if (variants.Count == 0)
        {
            throw new InvalidOptionException("--modes", "lists no mode");
        }

        return variants;
    }
}

/// <summary>An <see cref="IProgress{T}"/> that reports synchronously on the calling thread (no SynchronizationContext hop).</summary>
internal sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
