using System.CommandLine;
using LookupDecode.Models;

namespace LookupDecode.Cli.Commands;

/// <summary>The options every command that loads a model shares: which file, and how big a context.</summary>
internal sealed class ModelArguments
{
    public Option<string> Model { get; } = new("--model", "-m")
    {
        Description = "Path of the GGUF model file.",
        Required = true,
    };

    public Option<int> ContextSize { get; } = new("--ctx", "-c")
    {
        Description = "Context size in tokens (prompt + generated).",
        DefaultValueFactory = _ => 4096,
    };

    public Option<int?> Threads { get; } = new("--threads", "-t")
    {
        Description = "CPU threads (default: all logical processors, at most 16).",
    };

    public Option<int> BatchSize { get; } = new("--batch")
    {
        Description = "Prompt tokens per llama_decode during prefill.",
        DefaultValueFactory = _ => 512,
    };

    public Option<int> GpuLayers { get; } = new("--gpu-layers")
    {
        Description = "Layers to offload to the GPU (GPU backends only; -1 = all).",
        DefaultValueFactory = _ => 0,
    };

    public Option<bool> Verbose { get; } = new("--verbose", "-v")
    {
        Description = "Show LookupDecode's and llama.cpp's log on stderr.",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Model);
        command.Options.Add(ContextSize);
        command.Options.Add(Threads);
        command.Options.Add(BatchSize);
        command.Options.Add(GpuLayers);
        command.Options.Add(Verbose);
    }

    public ModelOptions ToOptions(ParseResult result)
    {
        var options = new ModelOptions
        {
            ContextSize = result.GetValue(ContextSize),
            Threads = result.GetValue(Threads),
            BatchSize = result.GetValue(BatchSize),
            GpuLayers = result.GetValue(GpuLayers),
        };
        try
        {
            options.Validate();
        }
        catch (InvalidOptionException exception)
        {
            throw new InvalidOptionException(FlagFor(exception.OptionName), exception.Problem);
        }

        return options;
    }

    private string FlagFor(string property) => property switch
    {
        nameof(ModelOptions.ContextSize) => ContextSize.Name,
        nameof(ModelOptions.Threads) => Threads.Name,
        nameof(ModelOptions.BatchSize) => BatchSize.Name,
        nameof(ModelOptions.GpuLayers) => GpuLayers.Name,
        _ => property,
    };
}
