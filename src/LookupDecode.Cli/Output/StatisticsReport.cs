using System.Globalization;
using LookupDecode.Cli.Commands;
using LookupDecode.Decoding;

namespace LookupDecode.Cli.Output;

/// <summary>The statistics block printed after streamed text, laid out like llama-lookup's so the two read alike.</summary>
internal static class StatisticsReport
{
    public static void Write(TextWriter writer, GenerationResult result, GenerationOptions options)
    {
        var s = result.Statistics;
        var culture = CultureInfo.InvariantCulture;
        writer.WriteLine();
        writer.WriteLine(string.Create(culture, $"mode         = {options.Drafting.Name}{(options.Sampling.IsGreedy ? "" : $" (temp {options.Sampling.Temperature}, seed {options.Sampling.Seed})")}"));
        writer.WriteLine(string.Create(culture, $"encoded {s.PromptTokens,5} tokens in {s.PromptEvalTime.TotalSeconds,8:F3} s, speed: {s.PromptTokensPerSecond,9:F1} t/s"));
        writer.WriteLine(string.Create(culture, $"decoded {s.GeneratedTokens,5} tokens in {s.DecodeTime.TotalSeconds,8:F3} s, speed: {s.TokensPerSecond,9:F1} t/s"));
        writer.WriteLine(string.Create(culture, $"stop         = {result.StopReason}"));
        if (!options.Drafting.IsGreedy)
        {
            writer.WriteLine(string.Create(culture, $"n_draft      = {options.Drafting.MaxLength}{(options.Drafting.Adaptive ? " (most per step; adaptive)" : "")}"));
            writer.WriteLine(string.Create(culture, $"n_predict    = {s.GeneratedTokens}"));
            writer.WriteLine(string.Create(culture, $"n_drafted    = {s.DraftedTokens}"));
            writer.WriteLine(string.Create(culture, $"t_draft      = {s.DraftTime.TotalMilliseconds:F2} ms, {s.DraftMicrosecondsPerToken:F2} us per token"));
            if (s.DrafterDecodeTime > TimeSpan.Zero)
            {
                writer.WriteLine(string.Create(culture, $"t_draft_decode = {s.DrafterDecodeTime.TotalMilliseconds:F2} ms in the draft model's llama_decode (part of t_draft)"));
            }

            writer.WriteLine(string.Create(culture, $"n_accept     = {s.AcceptedTokens}"));
            writer.WriteLine(string.Create(culture, $"accept       = {s.AcceptPercent:F3}%"));
            writer.WriteLine(string.Create(culture, $"mean accept  = {s.MeanAcceptLength:F3} tokens per verify step ({s.VerifySteps} steps)"));
        }

        writer.WriteLine(string.Create(culture, $"decode calls = {s.DecodeCalls}"));
        writer.WriteLine(string.Create(culture, $"peak memory  = {s.PeakMemoryMegabytes:F1} MB"));
        if (s.DraftingFallback is { } fallback)
        {
            writer.WriteLine($"fallback     = {fallback}");
        }
    }
}
