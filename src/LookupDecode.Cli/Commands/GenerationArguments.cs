using System.CommandLine;
using LookupDecode.Decoding;
using LookupDecode.Models;

namespace LookupDecode.Cli.Commands;

/// <summary>The options that shape a generation: length, mode, drafting, sampling, stopping rule.</summary>
internal sealed class GenerationArguments
{
    public Option<int> MaxTokens { get; } = new("--max-tokens", "-n")
    {
        Description = "Most tokens to generate.",
        DefaultValueFactory = _ => 128,
    };

    public Option<string> Mode { get; } = new("--mode")
    {
        Description = "greedy (no drafts), prompt-lookup (Hugging Face) or lookup (llama.cpp n-gram caches).",
        DefaultValueFactory = _ => "greedy",
    };

    public Option<int> Draft { get; } = new("--draft")
    {
        Description = $"Most draft tokens verified per step (1-{GenerationOptions.MaxDraftLength}).",
        DefaultValueFactory = _ => 10,
    };

    public Option<float> Temperature { get; } = new("--temp")
    {
        Description = "Sampling temperature; 0 = greedy.",
        DefaultValueFactory = _ => 0f,
    };

    public Option<uint> Seed { get; } = new("--seed")
    {
        Description = "Sampler seed (with --temp > 0).",
        DefaultValueFactory = _ => 42u,
    };

    public Option<bool> UpstreamLimit { get; } = new("--upstream-limit")
    {
        Description = "Stop as llama-lookup does: after the verified batch in which the count first exceeds --max-tokens.",
    };

    public Command AddTo(Command command)
    {
        Mode.AcceptOnlyFromAmong(ModeNames.All);
        command.Options.Add(MaxTokens);
        command.Options.Add(Mode);
        command.Options.Add(Draft);
        command.Options.Add(Temperature);
        command.Options.Add(Seed);
        command.Options.Add(UpstreamLimit);
        return command;
    }

    public GenerationOptions ToOptions(ParseResult result)
    {
        var options = new GenerationOptions
        {
            MaxTokens = result.GetValue(MaxTokens),
            Mode = ModeNames.Parse(result.GetValue(Mode)!),
            DraftLength = result.GetValue(Draft),
            UpstreamStoppingRule = result.GetValue(UpstreamLimit),
            Sampling = new SamplingOptions { Temperature = result.GetValue(Temperature), Seed = result.GetValue(Seed) },
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
        nameof(GenerationOptions.MaxTokens) => MaxTokens.Name,
        nameof(GenerationOptions.DraftLength) => Draft.Name,
        nameof(GenerationOptions.Mode) => Mode.Name,
        nameof(SamplingOptions.Temperature) => Temperature.Name,
        _ => property,
    };
}
