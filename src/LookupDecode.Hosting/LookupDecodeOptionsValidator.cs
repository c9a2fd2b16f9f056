using LookupDecode.Decoding;
using LookupDecode.Models;
using Microsoft.Extensions.Options;

namespace LookupDecode.Hosting;

/// <summary>Checks <see cref="LookupDecodeOptions"/> at host start; every failure names the option.</summary>
public sealed class LookupDecodeOptionsValidator : IValidateOptions<LookupDecodeOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, LookupDecodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ModelPath))
        {
            failures.Add($"{nameof(LookupDecodeOptions.ModelPath)} is required.");
        }
        else if (!File.Exists(options.ModelPath))
        {
            failures.Add($"{nameof(LookupDecodeOptions.ModelPath)} '{options.ModelPath}' does not exist.");
        }

        if (options.Model is null)
        {
            failures.Add($"{nameof(LookupDecodeOptions.Model)} is required.");
        }
        else
        {
            Check(failures, () => options.Model.Validate(), rename: property => $"{nameof(LookupDecodeOptions.Model)}:{property}");
        }

        Check(failures, () => new GenerationOptions { Drafting = DefaultPlan(options), MaxTokens = options.DefaultMaxOutputTokens }.Validate(),
            rename: property => property switch
            {
                "preset" => nameof(LookupDecodeOptions.DefaultDrafting),
                "DraftLength" => nameof(LookupDecodeOptions.DraftLength),
                nameof(GenerationOptions.MaxTokens) => nameof(LookupDecodeOptions.DefaultMaxOutputTokens),
                _ => property,
            });
        if (options.MaxConcurrentRequests is < 1 or > Decoding.EngineOptions.MaxSequences)
        {
            failures.Add($"{nameof(LookupDecodeOptions.MaxConcurrentRequests)} must be between 1 and {Decoding.EngineOptions.MaxSequences}, was {options.MaxConcurrentRequests}.");
        }

        if (options.StepTokens < 0)
        {
            failures.Add($"{nameof(LookupDecodeOptions.StepTokens)} must be 0 (the batch size) or positive, was {options.StepTokens}.");
        }

        if (!Enum.IsDefined(options.KvLayout))
        {
            failures.Add($"{nameof(LookupDecodeOptions.KvLayout)} must be PerSequence or Unified, was {options.KvLayout}.");
        }

        if (options.MaxQueuedRequests is < 0 or > 1_000_000)
        {
            failures.Add($"{nameof(LookupDecodeOptions.MaxQueuedRequests)} must be between 0 and 1000000, was {options.MaxQueuedRequests}.");
        }

        if (options.SharedMemoryRecordsPerKey is < 1 or > 1_000_000)
        {
            failures.Add($"{nameof(LookupDecodeOptions.SharedMemoryRecordsPerKey)} must be between 1 and 1000000, was {options.SharedMemoryRecordsPerKey}.");
        }

        if (options.SharedMemoryRecordTtl <= TimeSpan.Zero)
        {
            failures.Add($"{nameof(LookupDecodeOptions.SharedMemoryRecordTtl)} must be positive, was {options.SharedMemoryRecordTtl}.");
        }

        if (string.IsNullOrWhiteSpace(options.SharedMemoryKeyPrefix))
        {
            failures.Add($"{nameof(LookupDecodeOptions.SharedMemoryKeyPrefix)} must not be empty.");
        }

        if (options.SharedMemoryRedis is { } redis)
        {
            try
            {
                StackExchange.Redis.ConfigurationOptions.Parse(redis);
            }
            catch (ArgumentException exception)
            {
                failures.Add($"{nameof(LookupDecodeOptions.SharedMemoryRedis)} '{redis}' is not a Redis configuration string: {exception.Message}");
            }
        }

        if (options.StaticCachePath is { } staticCache && !File.Exists(staticCache))
        {
            failures.Add($"{nameof(LookupDecodeOptions.StaticCachePath)} '{staticCache}' does not exist.");
        }

        if (options.DraftModelPath is { } draftModel && !File.Exists(draftModel))
        {
            failures.Add($"{nameof(LookupDecodeOptions.DraftModelPath)} '{draftModel}' does not exist.");
        }

        if (options.DraftMinProbability is { } floor && (!double.IsFinite(floor) || floor is < 0 or > 1))
        {
            failures.Add($"{nameof(LookupDecodeOptions.DraftMinProbability)} must be between 0 and 1, was {floor}.");
        }

        if (options.MaxDynamicCaches < 1)
        {
            failures.Add($"{nameof(LookupDecodeOptions.MaxDynamicCaches)} must be at least 1, was {options.MaxDynamicCaches}.");
        }

        if (options.SuffixMemoryTokens is < 64 or > Drafting.Suffix.SuffixMemory.MaxCapacity)
        {
            failures.Add($"{nameof(LookupDecodeOptions.SuffixMemoryTokens)} must be between 64 and {Drafting.Suffix.SuffixMemory.MaxCapacity}, was {options.SuffixMemoryTokens}.");
        }

        if (options.MaxSuffixMemories is < 1 or > 1 << 16)
        {
            failures.Add($"{nameof(LookupDecodeOptions.MaxSuffixMemories)} must be between 1 and {1 << 16}, was {options.MaxSuffixMemories}.");
        }

        if (options.MaxDynamicCachePairs < 1)
        {
            failures.Add($"{nameof(LookupDecodeOptions.MaxDynamicCachePairs)} must be at least 1, was {options.MaxDynamicCachePairs}.");
        }

        if (options.MaxDynamicCacheDirectoryBytes < 1)
        {
            failures.Add($"{nameof(LookupDecodeOptions.MaxDynamicCacheDirectoryBytes)} must be at least 1, was {options.MaxDynamicCacheDirectoryBytes}.");
        }

        if (options.ChatTemplate is not (ChatPrompt.Auto or ChatPrompt.ModelTemplate or ChatPrompt.Raw))
        {
            // Refused at start, not after the first message: llama.cpp knows a fixed list of template names.
            var known = Native.LlamaRuntime.BuiltinChatTemplates();
            if (string.IsNullOrWhiteSpace(options.ChatTemplate) || !known.Contains(options.ChatTemplate))
            {
                failures.Add($"{nameof(LookupDecodeOptions.ChatTemplate)} '{options.ChatTemplate}' is not \"auto\", \"model\", \"raw\" or a template llama.cpp knows ({string.Join(", ", known)}).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The plan of <see cref="LookupDecodeOptions.DefaultDrafting"/> with <see cref="LookupDecodeOptions.DraftLength"/> applied.</summary>
    internal static Drafting.DraftingPlan DefaultPlan(LookupDecodeOptions options)
        => PlanFor(options.DefaultDrafting, options.DraftLength);

    /// <summary>The preset <paramref name="name"/> with a draft length when one is given.</summary>
    internal static Drafting.DraftingPlan PlanFor(string name, int? draftLength)
        => Drafting.DraftingPresets.WithLength(Drafting.DraftingPresets.Get(name), draftLength);

    private static void Check(List<string> failures, Action validate, Func<string, string>? rename = null)
    {
        try
        {
            validate();
        }
        catch (InvalidOptionException exception)
        {
            failures.Add($"{rename?.Invoke(exception.OptionName) ?? exception.OptionName} {exception.Problem}.");
        }
    }
}
