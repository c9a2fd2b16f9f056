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

        Check(failures, () => ToModelOptions(options).Validate());
        Check(failures, () => new GenerationOptions { Mode = options.DefaultMode, DraftLength = options.DraftLength, MaxTokens = options.DefaultMaxOutputTokens }.Validate(),
            rename: property => property switch
            {
                nameof(GenerationOptions.Mode) => nameof(LookupDecodeOptions.DefaultMode),
                nameof(GenerationOptions.MaxTokens) => nameof(LookupDecodeOptions.DefaultMaxOutputTokens),
                _ => property,
            });
        if (options.MaxConcurrentRequests is < 1 or > 256)
        {
            failures.Add($"{nameof(LookupDecodeOptions.MaxConcurrentRequests)} must be between 1 and 256, was {options.MaxConcurrentRequests}.");
        }

        if (options.StaticCachePath is { } staticCache && !File.Exists(staticCache))
        {
            failures.Add($"{nameof(LookupDecodeOptions.StaticCachePath)} '{staticCache}' does not exist.");
        }

        if (options.MaxDynamicCaches < 1)
        {
            failures.Add($"{nameof(LookupDecodeOptions.MaxDynamicCaches)} must be at least 1, was {options.MaxDynamicCaches}.");
        }

        if (options.MaxDynamicCachePairs < 1)
        {
            failures.Add($"{nameof(LookupDecodeOptions.MaxDynamicCachePairs)} must be at least 1, was {options.MaxDynamicCachePairs}.");
        }

        if (string.IsNullOrWhiteSpace(options.ChatTemplate))
        {
            failures.Add($"{nameof(LookupDecodeOptions.ChatTemplate)} must be \"auto\", \"model\", \"raw\" or a llama.cpp template name.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static ModelOptions ToModelOptions(LookupDecodeOptions options) => new()
    {
        ContextSize = options.ContextSize,
        BatchSize = options.BatchSize,
        Threads = options.Threads,
        GpuLayers = options.GpuLayers,
        KvCacheType = options.KvCacheType,
    };

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
