using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using LookupDecode.Models;
using LookupDecode.Ngrams;
using Microsoft.Extensions.Logging;

namespace LookupDecode.Cli.Commands;

/// <summary><c>lookupdecode cache create|merge|stats</c>: upstream's llama-lookup-create, -merge and -stats.</summary>
internal static class CacheCommand
{
    public static Command Create(CliContext cli) => new("cache", "Build, merge and evaluate n-gram lookup caches (files interchangeable with llama.cpp's).")
    {
        CreateCommand(cli),
        MergeCommand(cli),
        StatsCommand(cli),
    };

    private static Command CreateCommand(CliContext cli)
    {
        var model = new ModelArguments(demoWhenMissing: false);
        var corpus = new Option<FileInfo>("--file") { Description = "Corpus text (read as llama.cpp's -f reads it).", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "Static cache file to write.", Required = true };
        var command = new Command("create", "Build a static 2-gram cache from a corpus, like llama-lookup-create.");
        model.AddTokenizerOptionsTo(command, withContextSize: false);
        command.Options.Add(corpus);
        command.Options.Add(output);
        command.SetAction((result, cancellationToken) =>
        {
            LookupDecode.Files.SafeFiles.RequireDistinct(result.GetValue(output)!.FullName, output.Name, result.GetValue(corpus)!.FullName);
            var text = PromptFiles.Read(result.GetValue(corpus)!.FullName, corpus.Name);
            using var loggers = cli.CreateLoggerFactory(result.GetValue(model.Verbose));
            using var llama = LoadForTokenizing(loggers, model, result);
            var tokens = llama.Tokenize(text);
            var cache = StaticCacheBuilder.Build(tokens);
            cancellationToken.ThrowIfCancellationRequested(); // Ctrl+C before the save: nothing is written
            cache.Save(result.GetValue(output)!.FullName);
            cli.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{tokens.Length} tokens -> {cache.Count} 2-grams, {cache.FollowerPairs} (2-gram, follower) pairs -> {result.GetValue(output)!.FullName}"));
            return Task.FromResult(CliApplication.Success);
        });
        return command;
    }

    private static Command MergeCommand(CliContext cli)
    {
        var files = new Argument<FileInfo[]>("files") { Description = "Cache files to merge, then the output file.", Arity = new ArgumentArity(0, 1000) };
        var command = new Command("merge", "Merge cache files into one, like llama-lookup-merge: cache merge A B [C …] OUT.") { files };
        command.Validators.Add(result =>
        {
            var given = result.GetValue(files)?.Length ?? 0;
            if (given < 3)
            {
                result.AddError($"cache merge needs at least two caches and the output file (cache merge A B [C …] OUT); {given} given");
            }
        });
        command.SetAction((result, cancellationToken) =>
        {
            var paths = result.GetValue(files)!;
            LookupDecode.Files.SafeFiles.RequireDistinct(paths[^1].FullName, "output cache", [.. paths[..^1].Select(path => path.FullName)]);
            var merged = Load(paths[0].FullName);
            foreach (var path in paths[1..^1])
            {
                cancellationToken.ThrowIfCancellationRequested();
                merged.Merge(Load(path.FullName));
            }

            cancellationToken.ThrowIfCancellationRequested(); // Ctrl+C before the save: nothing is written

            merged.Save(paths[^1].FullName);
            cli.Output.WriteLine($"{paths.Length - 1} caches -> {merged.Count} n-grams -> {paths[^1].FullName}");
            return Task.FromResult(CliApplication.Success);
        });
        return command;
    }

    private static Command StatsCommand(CliContext cli)
    {
        var model = new ModelArguments(demoWhenMissing: false);
        var text = new Option<FileInfo>("--file") { Description = "Text to simulate drafting on (read as llama.cpp's -f reads it).", Required = true };
        var staticCache = new Option<FileInfo?>("--static-cache") { Description = "Static cache (llama-lookup-stats -lcs)." };
        var dynamicCache = new Option<FileInfo?>("--dynamic-cache") { Description = "Starting dynamic cache (llama-lookup-stats -lcd); not written." };
        var draft = new Option<int>("--draft") { Description = "Most tokens per draft.", DefaultValueFactory = _ => 3 };
        var json = new Option<bool>("--json") { Description = "Print the figures as JSON." };
        var command = new Command("stats", "Simulate lookup drafting on a text without running the model, like llama-lookup-stats (chunks of --ctx tokens).");
        model.AddTokenizerOptionsTo(command, withContextSize: true);
        command.Options.Add(text);
        command.Options.Add(staticCache);
        command.Options.Add(dynamicCache);
        command.Options.Add(draft);
        command.Options.Add(json);
        command.SetAction((result, cancellationToken) =>
        {
            var draftLength = result.GetValue(draft);
            if (draftLength is < 1 or > Decoding.GenerationOptions.MaxDraftLength)
            {
                throw new InvalidOptionException(draft.Name, $"must be between 1 and {Decoding.GenerationOptions.MaxDraftLength}, was {draftLength}");
            }

            var content = PromptFiles.Read(result.GetValue(text)!.FullName, text.Name);
            using var loggers = cli.CreateLoggerFactory(result.GetValue(model.Verbose));
            using var llama = LoadForTokenizing(loggers, model, result);
            var tokens = llama.Tokenize(content);
            var statics = result.GetValue(staticCache) is { } s ? Load(s.FullName) : null;
            var dynamics = result.GetValue(dynamicCache) is { } d ? Load(d.FullName) : null;
            foreach (var (cache, flag) in new[] { (statics, staticCache.Name), (dynamics, dynamicCache.Name) })
            {
                if (cache is not null && cache.MaxTokenId >= llama.Info.VocabularySize)
                {
                    throw new InvalidOptionException(flag, $"holds token id {cache.MaxTokenId} but the model has {llama.Info.VocabularySize} tokens: it was made with another tokenizer");
                }
            }
            // llama-lookup-stats cuts the text into chunks of llama.cpp's context size, which rounds -c up (64 -> 256).
            int chunkSize;
            using (var session = llama.CreateSession())
            {
                chunkSize = session.AllocatedContextSize;
            }

            if (tokens.Length <= chunkSize)
            {
                // llama-lookup-stats skips a final partial chunk: with a text shorter than one chunk every figure is 0.
                cli.Error.WriteLine($"warning: the text has {tokens.Length} tokens, not more than one chunk of {chunkSize}, so nothing is simulated "
                                    + $"(the last, partial chunk is skipped, as upstream does); give a smaller --ctx (rounded up to a multiple of 256)");
            }

            var simulation = LookupSimulation.Run(tokens, chunkSize, draftLength, statics, dynamics);
            cancellationToken.ThrowIfCancellationRequested();
            if (result.GetValue(json))
            {
                cli.Output.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["n_draft"] = draftLength,
                    ["chunk_size"] = chunkSize,
                    ["n_predict"] = simulation.Predicted,
                    ["n_drafted"] = simulation.Drafted,
                    ["n_accept"] = simulation.Accepted,
                    ["accept_percent"] = Math.Round(simulation.AcceptPercent, 3),
                    ["t_draft_ms"] = Math.Round(simulation.DraftTime.TotalMilliseconds, 3),
                }));
            }
            else
            {
                var culture = CultureInfo.InvariantCulture;
                cli.Output.WriteLine(string.Create(culture, $"n_draft      = {draftLength}"));
                cli.Output.WriteLine(string.Create(culture, $"chunk size   = {chunkSize} (llama.cpp's context for --ctx {llama.Options.ContextSize})"));
                cli.Output.WriteLine(string.Create(culture, $"n_predict    = {simulation.Predicted}"));
                cli.Output.WriteLine(string.Create(culture, $"n_drafted    = {simulation.Drafted}"));
                cli.Output.WriteLine(string.Create(culture, $"t_draft      = {simulation.DraftTime.TotalMilliseconds:F2} ms"));
                cli.Output.WriteLine(string.Create(culture, $"n_accept     = {simulation.Accepted}"));
                cli.Output.WriteLine(string.Create(culture, $"accept       = {simulation.AcceptPercent:F3}%"));
            }

            return Task.FromResult(CliApplication.Success);
        });
        return command;
    }

    private static LlamaModel LoadForTokenizing(ILoggerFactory loggers, ModelArguments model, ParseResult result)
        => LlamaModel.Load(result.GetValue(model.Model)!, model.ToOptions(result), loggers.CreateLogger("LookupDecode"));

    private static NgramCache Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOptionException("cache file", $"'{path}' does not exist");
        }

        return NgramCache.Load(path);
    }
}
