using System.CommandLine;
using LookupDecode.Calibration;
using LookupDecode.Cli.Output;
using LookupDecode.Models;
using LookupDecode.Replay;

namespace LookupDecode.Cli.Commands;

/// <summary>
/// <c>lookupdecode replay</c>: judges drafting variants on recorded model output (Spec-Bench traces), offline with a cost
/// curve (<c>--simulate</c>) or forced through a model on this machine.
/// </summary>
internal static class ReplayCommand
{
    public const string DefaultVariants = "greedy,pld,llama-lookup,suffix,auto,oracle";

    public static Command Create(CliContext cli)
    {
        var model = new ModelArguments(demoWhenMissing: false);
        var selection = new TraceArguments(
            "Prompt template the answers were recorded with: vicuna, llama-2 or raw (no chat markup: each question is the text the model continued).",
            "Most answer tokens replayed per turn.",
            "replay");
        var answers = new Option<FileInfo>("--answers") { Description = "Recorded answers of the model (FastChat model_answer .jsonl).", Required = true };
        var draftModel = new DraftModelArguments();
        var simulate = new Option<bool>("--simulate") { Description = "Offline: no model compute; each step is priced by the cost curve (the model only tokenizes)." };
        var costCurve = new Option<string?>("--cost-curve")
        {
            Description = "A curve file { \"points\": [[k, T(k)/T(1)], …] } or a stored calibration, or 'flat' (GPU-like): with --simulate it prices "
                          + "every step; forced, it is where adaptive drafting starts before the online correction learns this machine's costs. "
                          + "Default: the model's stored calibration on this machine (measured now if missing).",
        };
        var variants = new Option<string>("--variants")
        {
            Description = "Comma-separated drafting presets (greedy, pld, llama-lookup, suffix, auto, prompt-lookup, lookup, draft-model (with -md), NAME-dN, NAME-auto) and oracle.",
            DefaultValueFactory = _ => DefaultVariants,
        };
        var references = new Option<string?>("--reference-answers")
        {
            Description = "Comma-separated answer files whose accept_lengths are shown beside ours in report.md (default: *sps*.jsonl and *eagle*.jsonl beside --answers).",
        };
        var json = new Option<bool>("--json") { Description = "Print { \"mode\", \"variants\": [ { \"name\", \"overall\", \"categories\" } ] }." };
        var output = new Option<DirectoryInfo?>("--out") { Description = "Write report.md, results.csv, speedup.png and tokens-per-step.png here." };
        var proposals = new Option<FileInfo?>("--proposals")
        {
            Description = "With --simulate: also write every drafter's proposal at every answer position, and how much of it the answer confirms, "
                          + "as CSV (question_id, category, turn, position, depth, drafter, proposed, accepted, evidence), for studying length policies "
                          + "(bench/analysis/length_policy_bound.py).",
        };
        var proposalsOf = new Option<string>("--proposals-of")
        {
            Description = "The variant whose drafters --proposals tabulates.",
            DefaultValueFactory = _ => "auto",
        };

        var command = new Command("replay", "Replay drafting over recorded model output (Spec-Bench traces): mean accepted tokens per step, acceptance and speedup per task.");
        model.AddTo(command);
        foreach (var option in new Option[] { selection.Questions, answers, selection.Template, simulate, costCurve, variants, selection.Categories, selection.PerCategory, selection.MaxTokens, references, json, output, proposals, proposalsOf })
        {
            command.Options.Add(option);
        }

        draftModel.AddTo(command);

        command.SetAction((result, cancellationToken) =>
        {
            var limit = selection.CheckedMaxTokens(result);
            var forced = !result.GetValue(simulate);
            var proposalsPath = result.GetValue(proposals)?.FullName;
            if (forced && proposalsPath is not null)
            {
                throw new InvalidOptionException(proposals.Name, "applies to --simulate only");
            }

            if (proposalsPath is null && result.GetResult(proposalsOf) is { Implicit: false })
            {
                throw new InvalidOptionException(proposalsOf.Name, "applies with --proposals only");
            }

            var tabulated = proposalsPath is null ? null : ParseTabulated(result.GetValue(proposalsOf)!, proposalsOf.Name);

            var chosen = ParseVariants(result.GetValue(variants)!, variants.Name);
            var conversation = selection.ReadTemplate(result);
            var questionsPath = result.GetValue(selection.Questions)!.FullName;
            var answersPath = result.GetValue(answers)!.FullName;
            var questionList = TraceFiles.ReadQuestions(questionsPath);
            var answerList = TraceFiles.ReadAnswers(answersPath);
            var filter = selection.Filter(result, questionList);
            var curve = result.GetValue(costCurve) is { } curvePath ? CostCurveFile.Load(curvePath) : null;

            if (proposalsPath is not null)
            {
                // Before anything loads: never over an input, and somewhere it can be written.
                proposalsPath = Files.SafeFiles.ResolveOutput(proposalsPath, "proposal table");
                Files.SafeFiles.RequireDistinct(proposalsPath, "proposal table",
                    [questionsPath, answersPath, result.GetValue(model.Model)!, .. ((string?[])[result.GetValue(costCurve), result.GetValue(draftModel.Path), result.GetValue(references)]).OfType<string>()]);
                if (!Directory.Exists(Path.GetDirectoryName(proposalsPath)))
                {
                    throw new InvalidOptionException(proposals.Name, $"the directory of '{proposalsPath}' does not exist");
                }
            }

            using var loggers = cli.CreateLoggerFactory(result.GetValue(model.Verbose));
            var modelOptions = model.ToOptions(result);
            var draftPath = result.GetValue(draftModel.Path);
            draftModel.RequireGivenFor(result, [.. chosen.Select(variant => variant.Options.Drafting)], variants.Name);
            if (tabulated is not null)
            {
                draftModel.RequireGivenFor(result, [tabulated.Options.Drafting], proposalsOf.Name);
            }

            // And the other way round: a draft model no variant drafts with is refused, never silently ignored.
            draftModel.RequireUsedBy(result, [.. chosen.Concat(tabulated is null ? [] : [tabulated]).Select(variant => variant.Options.Drafting)], variants.Name);

            if (draftPath is not null)
            {
                // Before either model loads: a draft of another vocabulary is refused as llama.cpp refuses it.
                VocabularyCompatibility.Check(result.GetValue(model.Model)!, draftPath);
            }

            using var llama = LlamaModel.Load(result.GetValue(model.Model)!, modelOptions, loggers.CreateLogger("LookupDecode"));
            using var draft = draftModel.Load(result, modelOptions, loggers.CreateLogger("LookupDecode"));
            chosen = [.. chosen.Select(variant => variant with { Options = draftModel.Apply(result, variant.Options, draft) })];
            var traces = TraceTokenizer.Tokenize(llama, conversation, questionList, answerList, answersPath, filter);
            if (forced)
            {
                traces = FitContext(cli, traces, llama.Options.ContextSize, limit);
            }

            if (tabulated is not null)
            {
                var variant = tabulated with { Options = draftModel.Apply(result, tabulated.Options, draft) };
                var path = proposalsPath!;
                Files.SafeFiles.WriteAtomically(path, "proposal table", stream =>
                {
                    using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false), leaveOpen: true);
                    ProposalTable.Write(writer, traces, variant, limit, llama, cancellationToken);
                });
                cli.Error.WriteLine($"wrote the proposals of {variant.Name}'s drafters to {path}");
            }

            // Reference rows are read before a possibly long replay, over the same questions; a damaged file only loses its row.
            var referenceRows = result.GetValue(output) is null
                ? []
                : ReplayReferences.Load(ReferenceFiles(result.GetValue(references), answersPath), questionList,
                    traces.Select(trace => trace.QuestionId).ToHashSet(), cli.Error);
            cli.Error.WriteLine($"replaying {traces.Count} turns of {traces.Select(trace => trace.QuestionId).Distinct().Count()} questions, "
                                + $"{(forced ? "forced through " + llama.Info.Name : "offline")}: {string.Join(", ", chosen.Select(variant => variant.Name))}");
            var report = ConsoleFactory.WithProgress(cli.Error, forced ? "forced replay" : "offline replay", progress =>
            {
                var reporter = new InlineProgress<(int Done, int Total)>(p => progress(p.Done / (double)p.Total));
                if (forced)
                {
                    // A curve given to a forced replay is where adaptive drafting starts (a deliberately wrong one tests
                    // how fast the online correction finds the machine's real costs); every step still costs what it costs.
                    var started = curve is null
                        ? chosen
                        : [.. chosen.Select(variant => variant with { Options = variant.Options with { Adaptive = variant.Options.Adaptive with { CostCurve = curve.Curve } } })];
                    return ReplayRunner.Force(llama, traces, started, limit, reporter, cancellationToken);
                }

                var cost = curve ?? StoredCurve(llama, progress);
                return ReplayRunner.Simulate(traces, chosen, cost, limit, llama, reporter, cancellationToken);
            });

            var title = $"{(forced ? "forced" : "offline")} replay: {report.Traces.Count} turns, {llama.Info.Name} vocabulary, template {conversation.Name}, ≤ {limit} tokens"
                        + (forced ? string.Empty : $", cost curve {result.GetValue(costCurve) ?? "stored calibration"}");
            if (result.GetValue(output) is { } directory)
            {
                ReplayReportWriter.WriteFiles(directory.FullName, report, title, referenceRows);
            }

            if (result.GetValue(json))
            {
                cli.Output.WriteLine(ReplayReportWriter.ToJson(report));
            }
            else
            {
                ReplayReportWriter.WriteTable(cli.Output, report, title);
            }

            if (report.Cancelled)
            {
                cli.Error.WriteLine($"cancelled: the figures cover the {report.Traces.Count} turns completed");
                return Task.FromResult(CliApplication.Cancelled);
            }

            return Task.FromResult(CliApplication.Success);
        });
        return command;
    }

    private static List<ReplayVariant> ParseVariants(string list, string flag)
    {
        var chosen = new List<ReplayVariant>();
        foreach (var name in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            try
            {
                chosen.Add(ReplayVariant.Parse(name));
            }
            catch (InvalidOptionException exception)
            {
                throw new InvalidOptionException(flag, exception.Problem);
            }
        }

        if (chosen.Count == 0)
        {
            throw new InvalidOptionException(flag, "lists no variant");
        }

        if (chosen.Select(variant => variant.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count() != chosen.Count)
        {
            throw new InvalidOptionException(flag, "lists a variant twice");
        }

        return chosen;
    }

    private static ReplayVariant ParseTabulated(string name, string flag)
    {
        var variant = ParseVariants(name, flag) is [var single] ? single : throw new InvalidOptionException(flag, "names one variant");
        return variant.IsOracle || variant.Options.Drafting.IsGreedy
            ? throw new InvalidOptionException(flag, $"'{variant.Name}' has no drafters of its own to tabulate")
            : variant;
    }

    /// <summary>A variant that drafts with a draft model by name needs one (<c>oracle</c> and <c>auto</c> add it only when given).</summary>
    private static IReadOnlyList<ReplayTrace> FitContext(CliContext cli, IReadOnlyList<ReplayTrace> traces, int contextSize, int maxTokens)
    {
        var fitting = traces.Where(trace => trace.Prompt.Length + Math.Min(maxTokens, trace.Answer.Length) + 1 < contextSize).ToArray();
        if (fitting.Length < traces.Count)
        {
            cli.Error.WriteLine($"skipped {traces.Count - fitting.Length} turns whose prompt and answer do not fit --ctx {contextSize}");
        }

        return fitting.Length > 0
            ? fitting
            : throw new InvalidOptionException("--ctx", $"{contextSize} holds none of the selected turns");
    }

    private static CostModel StoredCurve(LlamaModel llama, Action<double> progress)
        => new(llama.CostCurve(LookupDecode.Drafting.DraftingPresets.AdaptiveMaxLength + 1, progress: new InlineProgress<double>(progress)));

    private static IReadOnlyList<string> ReferenceFiles(string? list, string answersPath)
    {
        if (list is not null)
        {
            return list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        var directory = Path.GetDirectoryName(answersPath)!;
        return [.. Directory.EnumerateFiles(directory, "*.jsonl")
            .Where(file => Path.GetFileName(file).Contains("sps", StringComparison.OrdinalIgnoreCase) || Path.GetFileName(file).Contains("eagle", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)];
    }
}
