using System.CommandLine;
using LookupDecode.Decoding;
using LookupDecode.Drafting;
using LookupDecode.Drafting.DraftModel;
using LookupDecode.Models;
using Microsoft.Extensions.Logging;

namespace LookupDecode.Cli.Commands;

/// <summary>The draft model of <c>--mode draft-model</c>: which file, its threads and GPU layers, and the probability floor (llama-speculative's names).</summary>
internal sealed class DraftModelArguments
{
    public Option<string?> Path { get; } = new("--draft-model", "-md")
    {
        Description = "draft-model: a small GGUF model with the target's vocabulary that drafts for it (checked as llama.cpp does).",
    };

    public Option<int?> Threads { get; } = new("--draft-threads", "-td")
    {
        Description = "draft-model: CPU threads of the draft model (default: the target's).",
    };

    public Option<int> GpuLayers { get; } = new("--draft-gpu-layers", "-ngld")
    {
        Description = "draft-model: layers of the draft model to offload to the GPU (GPU backends only; -1 = all).",
        DefaultValueFactory = _ => 0,
    };

    public Option<double?> MinProbability { get; } = new("--draft-p-min")
    {
        Description = "draft-model: stop a draft when the draft model's top probability falls below this "
                      + "(default: 0.75, llama.cpp's, for fixed drafts; none for adaptive drafting, which prices every drafted token).",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Path);
        command.Options.Add(Threads);
        command.Options.Add(GpuLayers);
        command.Options.Add(MinProbability);
        AddValidator(command, Threads, GpuLayers, MinProbability);
    }

    /// <summary>For chat, which loads the draft model through Hosting with the target's options: the file and the floor only.</summary>
    public void AddPathAndFloorTo(Command command)
    {
        command.Options.Add(Path);
        command.Options.Add(MinProbability);
        AddValidator(command, MinProbability);
    }

    /// <summary>At parse time, before any model loads: the floor's range, and no draft-model setting without a draft model.</summary>
    private void AddValidator(Command command, params Option[] settings)
    {
        command.Validators.Add(result =>
        {
            if (result.GetValue(MinProbability) is { } floor && (!double.IsFinite(floor) || floor is < 0 or > 1))
            {
                result.AddError($"{MinProbability.Name} must be between 0 and 1, was {floor}");
            }

            if (result.GetValue(Path) is null && settings.FirstOrDefault(setting => result.GetResult(setting) is { Implicit: false }) is { } orphan)
            {
                result.AddError($"{orphan.Name} applies only with {Path.Name}");
            }
        });
    }

    /// <summary>
    /// Before any model loads: a plan that drafts with a draft model needs <c>--draft-model</c>, and a given
    /// <c>--draft-model</c> must be used by at least one plan (never silently ignored, as llama.cpp's <c>-md</c> never is).
    /// </summary>
    /// <exception cref="InvalidOptionException">Either rule is broken; names <paramref name="flag"/> or <c>--draft-model</c>.</exception>
    public void RequireConsistent(ParseResult result, IReadOnlyList<DraftingPlan> plans, string flag)
    {
        RequireGivenFor(result, plans, flag);
        RequireUsedBy(result, plans, flag);
    }

    /// <summary>A plan (chosen with <paramref name="flag"/>) that drafts with a draft model needs <c>--draft-model</c>.</summary>
    /// <exception cref="InvalidOptionException">It is missing; names <paramref name="flag"/>.</exception>
    public void RequireGivenFor(ParseResult result, IReadOnlyList<DraftingPlan> plans, string flag)
    {
        if (result.GetValue(Path) is null && plans.FirstOrDefault(plan => plan.UsesDraftModel(draftModelGiven: false)) is { } needy)
        {
            throw new InvalidOptionException(flag, $"'{needy.Name}' drafts with a draft model: give one with {Path.Name}");
        }
    }

    /// <summary>A given <c>--draft-model</c> must be used by at least one plan (chosen with <paramref name="flag"/>).</summary>
    /// <exception cref="InvalidOptionException">No plan uses it; names <c>--draft-model</c>.</exception>
    public void RequireUsedBy(ParseResult result, IReadOnlyList<DraftingPlan> plans, string flag)
    {
        if (result.GetValue(Path) is not null && !plans.Any(plan => plan.UsesDraftModel(draftModelGiven: true)))
        {
            var names = string.Join(", ", plans.Select(plan => $"'{plan.Name}'"));
            throw new InvalidOptionException(Path.Name, $"{names} cannot draft with a draft model: use {flag} auto (which adds it to its drafters) or draft-model");
        }
    }

    /// <summary>Loads the draft model when one is given (checked like any model), with the target's context size.</summary>
    public LlamaModel? Load(ParseResult result, ModelOptions target, ILogger logger)
    {
        if (result.GetValue(Path) is not { } path)
        {
            return null;
        }

        var options = DraftModelOptions.LoadOptionsFor(target) with { Threads = result.GetValue(Threads) ?? target.Threads, GpuLayers = result.GetValue(GpuLayers) };
        try
        {
            options.Validate();
        }
        catch (InvalidOptionException exception)
        {
            throw new InvalidOptionException(exception.OptionName == nameof(ModelOptions.Threads) ? Threads.Name : GpuLayers.Name, exception.Problem);
        }

        return LlamaModel.Load(path, options, logger);
    }

    /// <summary>The generation options with the draft model and floor set (the floor is checked, naming the flag).</summary>
    public GenerationOptions Apply(ParseResult result, GenerationOptions options, LlamaModel? draft)
    {
        var draftOptions = new DraftModelOptions { Model = draft, MinProbability = result.GetValue(MinProbability) };
        try
        {
            draftOptions.Validate();
        }
        catch (InvalidOptionException exception)
        {
            throw new InvalidOptionException(MinProbability.Name, exception.Problem);
        }

        return options with { DraftModel = draftOptions };
    }
}
