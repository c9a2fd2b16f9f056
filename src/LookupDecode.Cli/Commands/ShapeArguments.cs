using System.CommandLine;
using LookupDecode.Synthesis;

namespace LookupDecode.Cli.Commands;

/// <summary>A model class by preset name, with optional explicit overrides of each dimension.</summary>
internal sealed class ShapeArguments(string defaultShape, bool withVocabulary)
{
    public Option<string> Shape { get; } = new("--shape") { Description = "Model class: tiny, llama-1b or mistral-7b.", DefaultValueFactory = _ => defaultShape };

    public Option<int?> Embedding { get; } = new("--embd") { Description = "Override: embedding width." };

    public Option<int?> Layers { get; } = new("--layers") { Description = "Override: number of blocks." };

    public Option<int?> FeedForward { get; } = new("--ff") { Description = "Override: feed-forward width." };

    public Option<int?> Heads { get; } = new("--heads") { Description = "Override: attention heads." };

    public Option<int?> KvHeads { get; } = new("--kv-heads") { Description = "Override: key/value heads." };

    public Option<int?> Vocabulary { get; } = new("--vocab") { Description = "Override: vocabulary size." };

    public void AddTo(Command command)
    {
        Shape.AcceptOnlyFromAmong("tiny", "llama-1b", "mistral-7b");
        foreach (var option in new Option[] { Shape, Embedding, Layers, FeedForward, Heads, KvHeads })
        {
            command.Options.Add(option);
        }

        if (withVocabulary)
        {
            // Inflation keeps the small model's vocabulary, so only synthesis offers it.
            command.Options.Add(Vocabulary);
        }
    }

    public ModelShape ToShape(ParseResult result)
    {
        var preset = ModelShape.FromName(result.GetValue(Shape)!);
        var shape = preset with
        {
            EmbeddingSize = result.GetValue(Embedding) ?? preset.EmbeddingSize,
            LayerCount = result.GetValue(Layers) ?? preset.LayerCount,
            FeedForwardSize = result.GetValue(FeedForward) ?? preset.FeedForwardSize,
            HeadCount = result.GetValue(Heads) ?? preset.HeadCount,
            KvHeadCount = result.GetValue(KvHeads) ?? preset.KvHeadCount,
            VocabularySize = (withVocabulary ? result.GetValue(Vocabulary) : null) ?? preset.VocabularySize,
        };
        if (shape != preset)
        {
            shape = shape with { Name = preset.Name + "-custom" };
        }

        shape.Validate();
        return shape;
    }
}
