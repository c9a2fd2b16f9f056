using System.CommandLine;
using LookupDecode.Models;

namespace LookupDecode.Cli.Commands;

/// <summary>
/// The options every command that loads a model shares: which file, and how big a context. Without <c>--model</c>,
/// commands that can run on any model use the demo model shipped next to the CLI (<see cref="DemoModel"/>).
/// </summary>
internal sealed class ModelArguments
{
    /// <summary>The options; <paramref name="demoWhenMissing"/> false makes <c>--model</c> required (commands whose data needs a real vocabulary).</summary>
    public ModelArguments(bool demoWhenMissing = true)
    {
        ModelCheck.AcceptOnlyFromAmong("child", "managed", "none");
        Model = new Option<string?>("--model", "-m")
        {
            Description = demoWhenMissing
                ? $"Path of the GGUF model file (default: the demo model {DemoModel.FileName} shipped with the CLI)."
                : "Path of the GGUF model file.",
            Required = !demoWhenMissing,
        };
    }

    public Option<string?> Model { get; }

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

    public Option<int> GpuLayers { get; } = new("--gpu-layers", "-ngl", "--n-gpu-layers")
    {
        Description = "Layers to offload to the GPU (GPU backends only; -1 = all).",
        DefaultValueFactory = _ => 0,
    };

    public Option<string> KvType { get; } = new("--kv-type")
    {
        Description = "KV cache type: auto (Q8_0 when heads are a multiple of 32 wide, which keeps lookup exact past 256 tokens on CPU), f16 (llama.cpp's default) or q8_0.",
        DefaultValueFactory = _ => "auto",
    };

    public Option<string> FlashAttention { get; } = new("--flash-attn", "-fa")
    {
        Description = "Flash attention, as llama.cpp's -fa: auto (llama.cpp's choice; always on with a Q8_0 cache), on or off (off needs --kv-type f16).",
        DefaultValueFactory = _ => "auto",
    };

    public Option<string> ModelCheck { get; } = new("--model-check")
    {
        Description = "How the model file is checked before it is loaded: child (rules, then llama.cpp loads it in a child process, cached per file), managed (rules only) or none (trusted files).",
        DefaultValueFactory = _ => "child",
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
        KvType.AcceptOnlyFromAmong([.. KvCacheTypeNames.All]);
        command.Options.Add(KvType);
        FlashAttention.AcceptOnlyFromAmong([.. FlashAttentionNames.All]);
        command.Options.Add(FlashAttention);
        AddModelCheckTo(command);
        command.Options.Add(Verbose);
    }

    private void AddModelCheckTo(Command command) => command.Options.Add(ModelCheck);

    /// <summary>
    /// For commands that only tokenize (cache create/stats): the model, the log switch and, when the command uses it,
    /// the context size; the options that would not apply are not offered.
    /// </summary>
    public void AddTokenizerOptionsTo(Command command, bool withContextSize)
    {
        command.Options.Add(Model);
        if (withContextSize)
        {
            command.Options.Add(ContextSize);
        }

        AddModelCheckTo(command);
        command.Options.Add(Verbose);
    }

    /// <summary>The model file to load: <c>--model</c>, else the demo model, said so on stderr.</summary>
    /// <exception cref="InvalidOptionException">No <c>--model</c> and no demo model beside the CLI.</exception>
    public string PathOf(ParseResult result, CliContext cli)
    {
        if (result.GetValue(Model) is { } path)
        {
            return path;
        }

        var demo = DemoModel.Path;
        if (!File.Exists(demo))
        {
            throw new InvalidOptionException(Model.Name, $"required: no model given, and the demo model is missing ({demo})");
        }

        cli.Error.WriteLine($"note: no {Model.Name} given: running the demo model {DemoModel.FileName} ({DemoModel.Description}); "
                            + $"pass {Model.Name} PATH to use your own GGUF");
        return demo;
    }

    public ModelOptions ToOptions(ParseResult result)
    {
        var defaults = new ModelOptions();
        var offered = result.CommandResult.Command.Options;
        var options = new ModelOptions
        {
            ContextSize = offered.Contains(ContextSize) ? result.GetValue(ContextSize) : defaults.ContextSize,
            Threads = offered.Contains(Threads) ? result.GetValue(Threads) : defaults.Threads,
            BatchSize = offered.Contains(BatchSize) ? result.GetValue(BatchSize) : defaults.BatchSize,
            GpuLayers = offered.Contains(GpuLayers) ? result.GetValue(GpuLayers) : defaults.GpuLayers,
            KvCacheType = KvCacheTypeNames.Parse(result.GetValue(KvType)),
            FlashAttention = FlashAttentionNames.Parse(offered.Contains(FlashAttention) ? result.GetValue(FlashAttention) : null),
            CheckMode = (offered.Contains(ModelCheck) ? result.GetValue(ModelCheck) : null) switch { "managed" => ModelCheckMode.Managed, "none" => ModelCheckMode.None, _ => ModelCheckMode.Child },
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
        nameof(ModelOptions.KvCacheType) => KvType.Name,
        nameof(ModelOptions.FlashAttention) => FlashAttention.Name,
        nameof(ModelOptions.CheckMode) => ModelCheck.Name,
        _ => property,
    };
}
