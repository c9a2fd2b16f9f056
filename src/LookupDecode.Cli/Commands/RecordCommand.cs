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
        var model = new ModelArguments(demoWhenMissing: false);
        var selection = new TraceArguments(
            "How each turn is shown to the model: vicuna, llama-2 or raw (no chat markup: the model continues each question's text).",
            "Most tokens generated per turn.",
            "record");
        var output = new Option<FileInfo>("--out", "-o") { Description = "Answer file to write (FastChat model_answer .jsonl; replaced atomically).", Required = true };
        var command = new Command("record", "Record this model's greedy answers to a question file (FastChat answer .jsonl), for replay.");
        model.AddTo(command);
        foreach (var option in new Option[] { selection.Questions, output, selection.Template, selection.Categories, selection.PerCategory, selection.MaxTokens })
        {
            command.Options.Add(option);
        }

        command.SetAction((result, cancellationToken) =>
        {
            // Before anything loads: the answer file is never one of the inputs.
            Files.SafeFiles.RequireDistinct(result.GetValue(output)!.FullName, "answer file",
                [result.GetValue(selection.Questions)!.FullName, .. ((string?[])[result.GetValue(model.Model)]).OfType<string>()]);
            var limit = selection.CheckedMaxTokens(result);
            var conversation = selection.ReadTemplate(result);
            var questionList = TraceFiles.ReadQuestions(result.GetValue(selection.Questions)!.FullName);
            var filter = selection.Filter(result, questionList);
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
