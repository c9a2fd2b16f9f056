using LLama.Native;
using LLama.Sampling;
using LookupDecode.Decoding;

namespace LookupDecode.Native;

/// <summary>
/// Random sampling through LLamaSharp's sampler chain (<see cref="DefaultSamplingPipeline"/>: temperature,
/// top-k, top-p, min-p, seeded RNG). One <see cref="Select"/> per emitted token, so the RNG advances exactly as
/// in plain decoding whether or not drafts were verified in the same batch.
/// </summary>
internal sealed class NativeSampler : ITokenSelector
{
    private readonly NativeContext _context;
    private readonly DefaultSamplingPipeline _pipeline;

    public NativeSampler(NativeContext context, SamplingOptions options, ReadOnlySpan<int> prompt)
    {
        _context = context;
        _pipeline = new DefaultSamplingPipeline
        {
            Temperature = Math.Max(options.Temperature, 0f),
            TopK = options.TopK,
            TopP = options.TopP,
            MinP = options.MinP,
            Seed = options.Seed,
            RepeatPenalty = options.RepeatPenalty,
            PenaltyCount = options.RepeatLastN,
        };
        if (options.HasPenalty)
        {
            // As llama-cli: the prompt seeds the penalty history.
            foreach (var token in prompt)
            {
                _pipeline.Accept((LLamaToken)token);
            }
        }
    }

    public int Select(int batchIndex) => (int)_pipeline.Sample(_context.Handle, batchIndex);

    // llama_sampler_sample already accepted the token into the chain (penalty history, grammar); accepting it
    // again would count it twice, so there is nothing left to do here.
    public void Accept(int token)
    {
    }

    public void Dispose() => _pipeline.Dispose();
}
