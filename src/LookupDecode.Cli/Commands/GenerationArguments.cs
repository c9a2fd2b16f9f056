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
        Description = "Drafting preset: " + string.Join("; ", DraftingPresets.Names.Select(preset => $"{preset.Name} ({preset.Description})"))
                      + "; or PRESET-dN (fixed N), PRESET-auto. Default: auto, as in chat, Hosting and the server.",
        DefaultValueFactory = _ => "auto",
    };

    public Option<string?> Draft { get; } = new("--draft")
    {
        Description = $"Draft tokens per step: auto (adaptive: as many as pay off on this machine, up to {AutoDraftLength}, or none) "
                      + $"or a fixed number (1-{GenerationOptions.MaxDraftLength}). Default: the preset's own (auto for prompt-lookup, lookup and auto).",
    };

    /// <summary>Most drafts an adaptive step may verify.</summary>
    public const int AutoDraftLength = DraftingPresets.AdaptiveMaxLength;

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

    public Option<FileInfo?> SuffixMemory { get; } = new("--suffix-memory")
    {
        Description = "suffix/auto: earlier outputs to draft from, read if present and saved back after the run (with this run's output added).",
    };

    public Option<float> Temperature { get; } = new("--temp")
    {
        Description = "Sampling temperature; 0 = greedy.",
        DefaultValueFactory = _ => 0f,
    };

    public Option<int> TopK { get; } = new("--top-k")
    {
        Description = "With --temp > 0: keep the k most likely tokens (0 = off).",
        DefaultValueFactory = _ => SamplingOptions.Greedy.TopK,
    };

    public Option<float> TopP { get; } = new("--top-p")
    {
        Description = "With --temp > 0: nucleus threshold (0, 1].",
        DefaultValueFactory = _ => SamplingOptions.Greedy.TopP,
    };

    public Option<float> MinP { get; } = new("--min-p")
    {
        Description = "With --temp > 0: minimum probability relative to the best token [0, 1].",
        DefaultValueFactory = _ => SamplingOptions.Greedy.MinP,
    };

    public Option<float> RepeatPenalty { get; } = new("--repeat-penalty")
    {
        Description = "Penalty on tokens among the last --repeat-last-n (prompt included), as llama.cpp; 1 = off.",
        DefaultValueFactory = _ => SamplingOptions.Greedy.RepeatPenalty,
    };

    public Option<int> RepeatLastN { get; } = new("--repeat-last-n")
    {
        Description = "How many recent tokens --repeat-penalty looks at.",
        DefaultValueFactory = _ => SamplingOptions.Greedy.RepeatLastN,
    };

    public Option<uint> Seed { get; } = new("--seed", "-s")
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
        Match.AcceptOnlyFromAmong("earliest", "recent");
        command.Options.Add(MaxTokens);
        command.Options.Add(Mode);
        command.Options.Add(Draft);
        command.Options.Add(NgramMax);
        command.Options.Add(NgramMin);
        command.Options.Add(Match);
        command.Options.Add(StaticCache);
        command.Options.Add(DynamicCache);
        command.Options.Add(SuffixMemory);
        command.Options.Add(Temperature);
        command.Options.Add(Seed);
        command.Options.Add(TopK);
        command.Options.Add(TopP);
        command.Options.Add(MinP);
        command.Options.Add(RepeatPenalty);
        command.Options.Add(RepeatLastN);
        command.Options.Add(AllowSamplingDrift);
        command.Options.Add(UpstreamLimit);
        return command;
    }

    /// <summary>The run's generation options, its memory files loaded.</summary>
    /// <param name="result">The parsed command line.</param>
    /// <param name="otherInputs">The command's other input files (model, prompt file, draft model): no memory file may be one of them.</param>
    /// <exception cref="Files.UnsafeFileException">A memory file the run writes is one of its inputs, or the other memory file.</exception>
    public GenerationOptions ToOptions(ParseResult result, params string?[] otherInputs)
    {
        RequireOutputsApart(result, otherInputs);
        var options = new GenerationOptions
        {
            MaxTokens = result.GetValue(MaxTokens),
            Drafting = Plan(result),
            UpstreamStoppingRule = result.GetValue(UpstreamLimit),
            PromptLookup = new PromptLookupOptions
            {
                MaxNgramSize = result.GetValue(NgramMax),
                MinNgramSize = result.GetValue(NgramMin),
                Match = result.GetValue(Match) == "recent" ? PromptLookupMatch.MostRecent : PromptLookupMatch.Earliest,
            },
            Lookup = LoadCaches(result),
            SuffixMemory = LoadSuffixMemory(result),
            Sampling = new SamplingOptions
            {
                Temperature = result.GetValue(Temperature),
                Seed = result.GetValue(Seed),
                TopK = result.GetValue(TopK),
                TopP = result.GetValue(TopP),
                MinP = result.GetValue(MinP),
                RepeatPenalty = result.GetValue(RepeatPenalty),
                RepeatLastN = result.GetValue(RepeatLastN),
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

    /// <summary>The plan <c>--mode</c> names, with the length <c>--draft</c> asks for.</summary>
    public DraftingPlan Plan(ParseResult result) => PlanFor(result.GetValue(Mode) ?? "auto", result.GetValue(Draft), Mode.Name, Draft.Name);

    /// <summary>The preset <paramref name="mode"/> with the length <paramref name="draft"/> asks for (auto, a number, or null for the preset's own).</summary>
    public static DraftingPlan PlanFor(string mode, string? draft, string modeFlag = "--mode", string draftFlag = "--draft")
    {
        DraftingPlan plan;
        try
        {
            plan = DraftingPresets.Get(mode);
        }
        catch (InvalidOptionException exception)
        {
            throw new InvalidOptionException(modeFlag, exception.Problem);
        }

        if (draft is null || draft == "auto")
        {
            return draft is null || plan.IsGreedy ? plan : plan.WithAdaptiveLength(AutoDraftLength);
        }

        if (!int.TryParse(draft, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var length))
        {
            throw new InvalidOptionException(draftFlag, $"must be 'auto' or a number, was '{draft}'");
        }

        try
        {
            return DraftingPresets.WithLength(plan, length);
        }
        catch (InvalidOptionException exception)
        {
            throw new InvalidOptionException(draftFlag, exception.Problem);
        }
    }

    /// <summary>
    /// Saves the dynamic cache back to <c>--dynamic-cache</c> when the run's plan drafted with the lookup caches (which merge
    /// the run's n-grams into it); returns the error instead of throwing, so a failed save never costs the generation.
    /// </summary>
    public Exception? SaveDynamicCache(ParseResult result, GenerationOptions options)
    {
        if (result.GetValue(DynamicCache) is not { } file || options.Lookup.DynamicCache is not { } cache
            || !options.Drafting.Drafters.Contains(DraftingPlan.Lookup))
        {
            return null;
        }

        return Attempt(() => cache.Save(file.FullName));
    }

    /// <summary>The key a command-line suffix memory file keeps its outputs under.</summary>
    private const string SuffixMemoryKey = "default";

    private Drafting.Suffix.SuffixMemoryStore? _suffixMemories;

    private Drafting.Suffix.SuffixMemory? LoadSuffixMemory(ParseResult result)
    {
        if (result.GetValue(SuffixMemory) is not { } file)
        {
            return null;
        }

        LookupDecode.Files.SafeFiles.ResolveOutput(file.FullName, SuffixMemory.Name);
        _suffixMemories = LookupDecode.Files.SafeFiles.KindOf(file.FullName) == LookupDecode.Files.FileKind.Missing
            ? new Drafting.Suffix.SuffixMemoryStore()
            : Drafting.Suffix.SuffixMemoryStore.Load(file.FullName);
        return _suffixMemories.Get(SuffixMemoryKey);
    }

    /// <summary>Saves <c>--suffix-memory</c> after a run that drafted with it; returns the error instead of throwing.</summary>
    public Exception? SaveSuffixMemory(ParseResult result, GenerationOptions options)
    {
        if (result.GetValue(SuffixMemory) is not { } file || _suffixMemories is null || !options.Drafting.Drafters.Contains(DraftingPlan.Suffix))
        {
            return null;
        }

        var memories = _suffixMemories;
        return Attempt(() => memories.Save(file.FullName));
    }

    /// <summary>Runs a save; a file-system failure is returned (for one line on stderr), never thrown, so it never costs the generation.</summary>
    private static Exception? Attempt(Action save)
    {
        try
        {
            save();
            return null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or Files.UnsafeFileException)
        {
            return exception;
        }
    }

    /// <summary>
    /// The files a run writes back (<c>--dynamic-cache</c>, <c>--suffix-memory</c>) are neither one of its inputs nor each
    /// other, whatever their names: one saved over another would destroy it. Checked before anything loads.
    /// </summary>
    private void RequireOutputsApart(ParseResult result, string?[] otherInputs)
    {
        string[] inputs = [.. ((string?[])[result.GetValue(StaticCache)?.FullName, .. otherInputs]).OfType<string>()];
        var dynamicCache = result.GetValue(DynamicCache)?.FullName;
        var suffixMemory = result.GetValue(SuffixMemory)?.FullName;
        if (dynamicCache is not null)
        {
            LookupDecode.Files.SafeFiles.RequireDistinct(dynamicCache, DynamicCache.Name, [.. inputs, .. suffixMemory is null ? [] : (string[])[suffixMemory]]);
        }

        if (suffixMemory is not null)
        {
            LookupDecode.Files.SafeFiles.RequireDistinct(suffixMemory, SuffixMemory.Name, inputs);
        }
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
        "DraftLength" => Draft.Name,
        nameof(SamplingOptions.Temperature) => Temperature.Name,
        nameof(SamplingOptions.TopK) => TopK.Name,
        nameof(SamplingOptions.TopP) => TopP.Name,
        nameof(SamplingOptions.MinP) => MinP.Name,
        nameof(SamplingOptions.RepeatPenalty) => RepeatPenalty.Name,
        nameof(SamplingOptions.RepeatLastN) => RepeatLastN.Name,
        _ => property,
    };
}
