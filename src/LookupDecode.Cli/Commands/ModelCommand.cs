using System.CommandLine;
using System.Globalization;
using LookupDecode.Cli.Output;
using LookupDecode.Gguf;
using LookupDecode.Models;
using LookupDecode.Synthesis;

namespace LookupDecode.Cli.Commands;

/// <summary><c>lookupdecode model synth</c>: write models of real shapes for hermetic benchmarks.</summary>
internal static class ModelCommand
{
    public static Command Create(CliContext cli) => new("model", "Write benchmark models.")
    {
        SynthCommand(cli),
        InflateCommand(cli),
    };

    private static Command InflateCommand(CliContext cli)
    {
        var shape = new ShapeArguments(defaultShape: "llama-1b", withVocabulary: false);
        var type = TypeOption();
        type.AcceptOnlyFromAmong("f32", "f16", "q8_0", "q4_0");
        var from = new Option<FileInfo>("--from") { Description = "The small llama model (F32, F16 or Q8_0) to inflate.", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "GGUF file to write.", Required = true };
        var command = new Command("inflate", "Write a model with a big class's tensor shapes that computes a small model's function: real text and "
                                             + "acceptance at the real cost of a 1B or 7B model. Extra weights are zero; dead layers add nothing.");
        shape.AddTo(command);
        command.Options.Add(from);
        command.Options.Add(type);
        command.Options.Add(output);
        command.SetAction((result, cancellationToken) =>
        {
            var target = shape.ToShape(result);
            var ggmlType = ParseType(result.GetValue(type)!);
            var path = result.GetValue(output)!.FullName;
            var written = ConsoleFactory.WithProgress(cli.Error, $"inflating to {target.Name} {result.GetValue(type)}", report =>
                ModelInflater.Inflate(result.GetValue(from)!.FullName, path, target, ggmlType,
                    new InlineProgress<ModelWriteProgress>(p => report(p.Fraction)), cancellationToken));
            cli.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{path}: {written.Name} shape ({written.EmbeddingSize} wide, {written.LayerCount} layers, {written.HeadCount}/{written.KvHeadCount} heads, "
                + $"ff {written.FeedForwardSize}, vocabulary {written.VocabularySize}), {new FileInfo(path).Length / 1e6:F0} MB"));
            return Task.FromResult(CliApplication.Success);
        });
        return command;
    }

    private static Command SynthCommand(CliContext cli)
    {
        var shape = new ShapeArguments(defaultShape: "tiny", withVocabulary: true);
        var type = TypeOption();
        var output = new Option<FileInfo>("--out") { Description = "GGUF file to write.", Required = true };
        var seed = new Option<ulong>("--seed") { Description = "Random seed of the weights.", DefaultValueFactory = _ => 42UL };
        var vocabularyFrom = new Option<FileInfo?>("--vocabulary-from") { Description = "Copy the tokenizer of this GGUF (the vocabulary size follows it): a random model with a real model's vocabulary." };
        var command = new Command("synth", "Write a llama-architecture GGUF with a real model class's tensor shapes, random weights and a valid "
                                           + "tokenizer. Its text is meaningless; it measures the cost of decoding at that size.");
        shape.AddTo(command);
        command.Options.Add(type);
        command.Options.Add(output);
        command.Options.Add(seed);
        command.Options.Add(vocabularyFrom);
        command.SetAction((result, cancellationToken) =>
        {
            var modelShape = shape.ToShape(result);
            var ggmlType = ParseType(result.GetValue(type)!);
            var path = result.GetValue(output)!.FullName;
            ConsoleFactory.WithProgress(cli.Error, $"{modelShape.Name} {result.GetValue(type)}", report =>
            {
                SyntheticModelWriter.Write(path, modelShape, ggmlType, result.GetValue(seed), result.GetValue(vocabularyFrom)?.FullName,
                    new InlineProgress<ModelWriteProgress>(p => report(p.Fraction)), cancellationToken);
                return 0;
            });
            cli.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{path}: {modelShape.Name}, {modelShape.ParameterCount / 1e6:F0}M parameters, {new FileInfo(path).Length / 1e6:F0} MB"));
            return Task.FromResult(CliApplication.Success);
        });
        return command;
    }

    internal static Option<string> TypeOption()
    {
        var option = new Option<string>("--type") { Description = "Tensor type: f16, q8_0 or q4_0 (quantized by llama.cpp).", DefaultValueFactory = _ => "f16" };
        option.AcceptOnlyFromAmong("f16", "q8_0", "q4_0");
        return option;
    }

    internal static GgmlType ParseType(string name) => name switch
    {
        "f32" => GgmlType.F32,
        "f16" => GgmlType.F16,
        "q8_0" => GgmlType.Q8_0,
        "q4_0" => GgmlType.Q4_0,
        _ => throw new InvalidOptionException("--type", $"unknown type '{name}'"),
    };
}
