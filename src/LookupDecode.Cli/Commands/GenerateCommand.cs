using System.CommandLine;
using LookupDecode.Cli.Output;
using LookupDecode.Decoding;
using LookupDecode.Models;

namespace LookupDecode.Cli.Commands;

/// <summary><c>lookupdecode generate</c>: one generation with statistics, streamed or as JSON.</summary>
internal static class GenerateCommand
{
    public static Command Create(CliContext cli)
    {
        var model = new ModelArguments();
        var prompt = new PromptArguments();
        var generation = new GenerationArguments();
        var draftModel = new DraftModelArguments();
        var json = new Option<bool>("--json") { Description = "Print one JSON object with the result and statistics instead of streaming text." };

        var command = new Command("generate", "Generate text from a prompt and report speed, drafting and memory figures.");
        model.AddTo(command);
        prompt.AddTo(command);
        generation.AddTo(command);
        draftModel.AddTo(command);
        command.Options.Add(json);

        command.SetAction((result, cancellationToken) =>
        {
            var modelOptions = model.ToOptions(result);
            var generationOptions = generation.ToOptions(result, result.GetValue(model.Model), result.GetValue(prompt.PromptFile)?.FullName, result.GetValue(draftModel.Path));
            draftModel.RequireConsistent(result, [generationOptions.Drafting], generation.Mode.Name);
            var promptText = prompt.Read(result);
            using var loggers = cli.CreateLoggerFactory(result.GetValue(model.Verbose));
            using var llama = LlamaModel.Load(model.PathOf(result, cli), modelOptions, loggers.CreateLogger("LookupDecode"));
            using var draft = draftModel.Load(result, modelOptions, loggers.CreateLogger("LookupDecode"));
            generationOptions = draftModel.Apply(result, generationOptions, draft);
            using var session = llama.CreateSession();

            // A prompt the vocabulary cannot encode or the context cannot hold fails before a first calibration runs.
            var promptTokens = llama.Tokenize(promptText);
            session.CheckRequest(promptTokens, generationOptions);

            CalibrationNotice.Prepare(cli, llama, generationOptions);
            if ((generationOptions.Lookup.StaticCache is not null || generationOptions.Lookup.DynamicCache is not null)
                && !generationOptions.Drafting.Drafters.Contains(LookupDecode.Drafting.DraftingPlan.Lookup))
            {
                cli.Error.WriteLine($"warning: --static-cache/--dynamic-cache are read only by the lookup drafter; --mode {generationOptions.Drafting.Name} does not use it");
            }

            var asJson = result.GetValue(json);
            Action<TokenEvent>? stream = asJson ? null : token => cli.Output.Write(token.Text);
            GenerationResult outcome;
            Exception? saveError;
            var cancelled = false;
            try
            {
                outcome = session.Generate(promptTokens, generationOptions, stream, cancellationToken);
            }
            catch (GenerationCanceledException exception)
            {
                // Ctrl+C: what was generated, and its statistics, are still the user's.
                outcome = exception.PartialResult;
                cancelled = true;
            }
            finally
            {
                // The command owns the dynamic cache file: saved after every run, cancelled ones included.
                var cacheError = generation.SaveDynamicCache(result, generationOptions);
                var memoryError = generation.SaveSuffixMemory(result, generationOptions);
                saveError = cacheError ?? memoryError;
            }

            if (asJson)
            {
                cli.Output.WriteLine(GenerationJson.Serialize(outcome, generationOptions));
            }
            else
            {
                cli.Output.WriteLine();
                cli.Output.Flush();
                StatisticsReport.Write(cli.Error, outcome, generationOptions);
            }

            if (cancelled)
            {
                cli.Error.WriteLine($"cancelled after {outcome.Tokens.Count} tokens");
                return Task.FromResult(CliApplication.Cancelled);
            }

            if (saveError is not null)
            {
                cli.Error.WriteLine($"error: the dynamic cache could not be saved: {saveError.Message}");
                return Task.FromResult(CliApplication.InputError);
            }

            return Task.FromResult(CliApplication.Success);
        });
        return command;
    }
}
