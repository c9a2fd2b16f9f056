using System.CommandLine;
using System.Text;
using LookupDecode.Cli.Output;
using LookupDecode.Models;
using LookupDecode.Replay;

namespace LookupDecode.Cli.Commands;

/// <summary>
/// <c>lookupdecode record</c>: a model's own greedy answers to a question file, written as a FastChat answer file for
/// <c>replay</c> (drafters and draft models judged on what this model really writes).
/// </summary>
internal static class RecordCommand
{
    public static Command Create(CliContext cli)
    {
        var model = new ModelArguments();
        var questions = new Option<FileInfo>("--questions") { Description = "Questions (FastChat/Spec-Bench question.jsonl).", Required = true };
        var output = new Option<FileInfo>("--out", "-o") { Description = "Answer file to write (FastChat model_answer .jsonl; replaced atomically).", Required = true };
        var template = new Option<string>("--template")
        {
            Description = "How each turn is shown to the model: vicuna, llama-2 or raw (no chat markup: the model continues each question's text).",
            DefaultValueFactory = _ => "vicuna",
        };
        var categories = new Option<string?>("--categories") { Description = "Comma-separated categories to record (default: all)." };
        var perCategory = new Option<int?>("--per-category") { Description = "Questions per category (the first N by id; default: all)." };
        var maxTokens = new Option<int>("--max-tokens", "-n") { Description = "Most tokens generated per turn.", DefaultValueFactory = _ => 1024 };
        var command = new Command("record", "Record this model's greedy answers to a question file (FastChat answer .jsonl), for replay.");
        model.AddTo(command);
        foreach (var option in new Option[] { questions, output, template, categories, perCategory, maxTokens })
        {
            command.Options.Add(option);
        }

        template.AcceptOnlyFromAmong([.. ConversationTemplate.All.Select(known => known.Name)]);
        command.SetAction((result, cancellationToken) =>
        {
            var limit = result.GetValue(maxTokens);
            if (limit is < 1 or > ModelOptions.MaxContextSize)
            {
                throw new InvalidOptionException(maxTokens.Name, $"must be between 1 and {ModelOptions.MaxContextSize}, was {limit}");
            }

            if (result.GetValue(perCategory) is < 1)
            {
                throw new InvalidOptionException(perCategory.Name, "must be at least 1");
            }

            var conversation = ConversationTemplate.Parse(result.GetValue(template)!);
            var questionList = TraceFiles.ReadQuestions(result.GetValue(questions)!.FullName);
            var filter = ReplayCommand.Filter(result.GetValue(categories), result.GetValue(perCategory), questionList, categories.Name);
            using var loggers = cli.CreateLoggerFactory(result.GetValue(model.Verbose));
            using var llama = LlamaModel.Load(result.GetValue(model.Model)!, model.ToOptions(result), loggers.CreateLogger("LookupDecode"));
            using var session = llama.CreateSession();
            var path = result.GetValue(output)!.FullName;
            var recorded = 0;
            Files.SafeFiles.WriteAtomically(path, "answer file", stream =>
            {
                using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), leaveOpen: true);
                recorded = ConsoleFactory.WithProgress(cli.Error, "recording", progress => TraceRecorder.Record(
                    session, conversation, questionList, limit, writer, filter,
                    new InlineProgress<(int Done, int Total)>(p => progress(p.Done / (double)p.Total)), cancellationToken));
            });
            cli.Error.WriteLine($"recorded {recorded} questions of {llama.Info.Name} (template {conversation.Name}, ≤ {limit} tokens per turn) to {path}");
            return Task.FromResult(CliApplication.Success);
        });
        return command;
    }
}
