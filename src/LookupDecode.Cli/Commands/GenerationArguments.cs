using System.CommandLine;
using LookupDecode.Decoding;
using LookupDecode.Drafting;
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

    public Option<string> Draft { get; } = new("--draft")
    {
        Description = $"Draft tokens per step: auto (adaptive: as many as pay off on this machine, up to {AutoDraftLength}, or none) "
                      + $"or a fixed number (1-{GenerationOptions.MaxDraftLength}).",
        DefaultValueFactory = _ => "auto",
    };

    /// <summary>Most drafts an adaptive step may verify.</summary>
    public const int AutoDraftLength = 16;

    public Option<int> NgramMax { get; } = new("--ngram-max")
    {
        Description = $"prompt-lookup: longest suffix n-gram to match, tried first (1-{PromptLookupOptions.MaxSupportedNgramSize}).",
        DefaultValueFactory = _ => 3,
    };

    public Option<int> NgramMin { get; } = new("--ngram-min")
    {
        Description = "prompt-lookup: shortest suffix n-gram to match.",
        DefaultValueFactory = _ => 1,
    };

    public Option<string> Match { get; } = new("--match")
    {
        Description = "prompt-lookup: continue the earliest (Hugging Face) or most recent (llama.cpp ngram-simple) occurrence.",
        DefaultValueFactory = _ => "earliest",
    };

    public Option<FileInfo?> StaticCache { get; } = new("--static-cache")
    {
        Description = "lookup: static n-gram cache (llama-lookup-create output; llama-lookup -lcs).",
    };

    public Option<FileInfo?> DynamicCache { get; } = new("--dynamic-cache")
    {
        Description = "lookup: dynamic n-gram cache, read if present and saved back after the run (llama-lookup -lcd).",
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

    public Option<bool> AllowSamplingDrift { get; } = new("--allow-sampling-drift")
    {
        Description = "With --temp > 0, draft even where batched logits are not bit-identical to single-token ones (distribution-preserving, not seed-identical).",
    };

    public Option<bool> UpstreamLimit { get; } = new("--upstream-limit")
    {
        Description = "Stop as llama-lookup does: after the verified batch in which the count first exceeds --max-tokens.",
    };

    public Command AddTo(Command command)
    {
        Mode.AcceptOnlyFromAmong(ModeNames.All);
        Match.AcceptOnlyFromAmong("earliest", "recent");
        command.Options.Add(MaxTokens);
        command.Options.Add(Mode);
        command.Options.Add(Draft);
        command.Options.Add(NgramMax);
        command.Options.Add(NgramMin);
        command.Options.Add(Match);
        command.Options.Add(StaticCache);
        command.Options.Add(DynamicCache);
        command.Options.Add(Temperature);
        command.Options.Add(Seed);
        command.Options.Add(AllowSamplingDrift);
        command.Options.Add(UpstreamLimit);
        return command;
    }

    public GenerationOptions ToOptions(ParseResult result)
    {
        var options = new GenerationOptions
        {
            MaxTokens = result.GetValue(MaxTokens),
            Mode = ModeNames.Parse(result.GetValue(Mode)!),
            DraftLength = DraftLength(result),
            DraftPolicy = IsAuto(result) ? DraftPolicy.Adaptive : DraftPolicy.Fixed,
            UpstreamStoppingRule = result.GetValue(UpstreamLimit),
            PromptLookup = new PromptLookupOptions
            {
                MaxNgramSize = result.GetValue(NgramMax),
                MinNgramSize = result.GetValue(NgramMin),
                Match = result.GetValue(Match) == "recent" ? PromptLookupMatch.MostRecent : PromptLookupMatch.Earliest,
            },
            Lookup = LoadCaches(result),
            Sampling = new SamplingOptions
            {
                Temperature = result.GetValue(Temperature),
                Seed = result.GetValue(Seed),
                SeedExact = !result.GetValue(AllowSamplingDrift),
            },
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

    private bool IsAuto(ParseResult result) => result.GetValue(Draft) == "auto";

    private int DraftLength(ParseResult result)
    {
        var value = result.GetValue(Draft)!;
        if (value == "auto")
        {
            return AutoDraftLength;
        }

        return int.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var length)
            ? length
            : throw new InvalidOptionException(Draft.Name, $"must be 'auto' or a number, was '{value}'");
    }

    private LookupCacheOptions LoadCaches(ParseResult result)
    {
        var staticPath = result.GetValue(StaticCache)?.FullName;
        if (staticPath is not null && !File.Exists(staticPath))
        {
            throw new InvalidOptionException(StaticCache.Name, $"'{staticPath}' does not exist");
        }

        return LookupCacheOptions.FromFiles(staticPath, result.GetValue(DynamicCache)?.FullName);
    }

    private string FlagFor(string property) => property switch
    {
        nameof(PromptLookupOptions.MaxNgramSize) => NgramMax.Name,
        nameof(PromptLookupOptions.MinNgramSize) => NgramMin.Name,
        nameof(GenerationOptions.MaxTokens) => MaxTokens.Name,
        nameof(GenerationOptions.DraftLength) => Draft.Name,
        nameof(GenerationOptions.Mode) => Mode.Name,
        nameof(SamplingOptions.Temperature) => Temperature.Name,
        _ => property,
    };
}
