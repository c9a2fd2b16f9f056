using LookupDecode.Calibration;
using LookupDecode.Drafting;
using LookupDecode.Models;
using LookupDecode.Native;
using Microsoft.Extensions.Logging;

namespace LookupDecode.Decoding;

/// <summary>
/// What every generation of one model needs before its first step, wherever it runs (a <see cref="GenerationSession"/>
/// or a <see cref="DecodingEngine"/>): the request's checks, its token selector, and its draft planner with the
/// fallbacks that keep output exact (recurrent memories, seed-exact sampling on a backend whose batched logits differ).
/// Holds the planner factory and the cost models, so what adaptive drafting learns carries over to the next
/// generation. Not thread-safe: one per loop.
/// </summary>
internal sealed class GenerationSetup(LlamaModel model, ILogger logger)
{
    private readonly DraftPlannerFactory _planners = new();
    private readonly Dictionary<DecodeCostCurve, CostModel> _costModels = new(ReferenceEqualityComparer.Instance);

    /// <summary>Checks a request against a context of <paramref name="contextSize"/> tokens.</summary>
    /// <exception cref="InvalidOptionException">An option is out of range, the prompt is empty or a token is outside the vocabulary.</exception>
    /// <exception cref="PromptTooLongException">The prompt leaves no room in the context.</exception>
    public static void CheckRequest(LlamaModel model, ReadOnlySpan<int> promptTokens, GenerationOptions options, int contextSize)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (promptTokens.IsEmpty)
        {
            throw new InvalidOptionException("prompt", "is empty: give at least one token (most models add BOS to any text)");
        }

        if (promptTokens.Length + 1 > contextSize)
        {
            throw new PromptTooLongException(promptTokens.Length, contextSize);
        }

        CheckTokens(model, promptTokens, "prompt");
    }

    /// <summary>Refuses a token outside <paramref name="model"/>'s vocabulary.</summary>
    public static void CheckTokens(LlamaModel model, ReadOnlySpan<int> tokens, string what)
    {
        foreach (var token in tokens)
        {
            if ((uint)token >= (uint)model.Info.VocabularySize)
            {
                throw new InvalidOptionException(what, $"token id {token} is outside the vocabulary of {model.Info.VocabularySize}");
            }
        }
    }

    /// <summary>Argmax for plain greedy decoding, else llama.cpp's sampler chain.</summary>
    public static ITokenSelector CreateSelector(NativeContext context, SamplingOptions sampling, ReadOnlySpan<int> prompt)
        => sampling.IsGreedy && !sampling.HasPenalty ? new GreedySelector(context) : new NativeSampler(context, sampling, prompt);

    /// <summary>The planner <paramref name="options"/> ask for, or null (plain decoding, with the reason in <paramref name="fallback"/> when drafting was asked for).</summary>
    public IDraftPlanner? CreatePlanner(GenerationOptions options, out string? fallback)
    {
        fallback = null;

        if (options.Drafting.IsGreedy)
        {
            return null;
        }

        if (model.Info.IsRecurrent)
        {
            fallback = $"{model.Info.Name} is recurrent: its memory cannot roll back rejected drafts, so it runs as plain decoding.";
            logger.LogWarning("{Fallback}", fallback);
            return null;
        }

        if (!options.Sampling.IsGreedy && options.Sampling.SeedExact && model.BatchLogitDifference() is var difference and > 0)
        {
            fallback = $"batched logits of {model.Info.Name} differ from single-token logits by up to {difference:G3} on this backend, "
                       + "so sampled drafts could change individual draws; ran plain sampling to stay identical to it with the same seed "
                       + "(SamplingOptions.SeedExact = false drafts anyway, distribution-preserving).";
            return null;
        }

        if (options.DraftModel.Model is { } draftModel && options.Drafting.UsesDraftModel(draftModelGiven: true))
        {
            Drafting.DraftModel.DraftModelCompatibility.Require(model, draftModel);
        }

        return _planners.Create(options, model.DraftVocabulary, () => CostModelFor(options));
    }

    /// <summary>
    /// The cost model adaptive drafting weighs drafts against: built from the options' curve, else from the model's
    /// calibration, and kept per curve so what it learns online carries over to the next generations.
    /// </summary>
    public CostModel CostModelFor(GenerationOptions options)
    {
        var curve = options.Adaptive.CostCurve ?? model.CostCurve(Math.Max(options.Drafting.MaxLength + 1, 17), options.Adaptive.CostModelDirectory);
        if (!_costModels.TryGetValue(curve, out var costModel))
        {
            _costModels[curve] = costModel = new CostModel(curve);
        }

        return costModel;
    }
}
