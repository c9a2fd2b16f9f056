using LookupDecode.Drafting;
using LookupDecode.Models;
using LookupDecode.Native;
using Microsoft.Extensions.Logging;

namespace LookupDecode.Decoding;

/// <summary>
/// One llama.cpp context (KV cache) of a <see cref="LlamaModel"/>, able to run one generation at a time.
/// Each generation starts from an empty cache, so a session can be reused after any outcome, including
/// cancellation and errors. Not thread-safe: use one session per concurrent caller. Owns its native
/// context; dispose it before the model.
/// </summary>
public sealed class GenerationSession : IDisposable
{
    private readonly NativeContext _context;
    private readonly DecodingLoop _loop = new();
    private readonly ILogger _logger;
    private int _busy;

    internal GenerationSession(LlamaModel model, NativeContext context, ILogger logger)
    {
        Model = model;
        _context = context;
        _logger = logger;
    }

    /// <summary>The model this session runs.</summary>
    public LlamaModel Model { get; }

    /// <summary>Tokens the context holds (prompt + generated).</summary>
    public int ContextSize => _context.Size;

    /// <summary>Tokenizes <paramref name="prompt"/> and generates; see <see cref="Generate(ReadOnlySpan{int}, GenerationOptions?, Action{TokenEvent}?, CancellationToken)"/>.</summary>
    /// <exception cref="Text.UnsupportedTextException">The vocabulary cannot encode a character of the prompt.</exception>
    public GenerationResult Generate(
        string prompt,
        GenerationOptions? options = null,
        Action<TokenEvent>? onToken = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        return Generate(Model.Tokenize(prompt), options, onToken, cancellationToken);
    }

    /// <summary>
    /// Generates after <paramref name="promptTokens"/>. <paramref name="onToken"/> is called for every token as it is
    /// emitted. Cancellation is observed before every <c>llama_decode</c>, so it takes effect within one step.
    /// </summary>
    /// <exception cref="InvalidOptionException">An option is out of range or the prompt is empty.</exception>
    /// <exception cref="PromptTooLongException">The prompt leaves no room in the context.</exception>
    /// <exception cref="GenerationCanceledException">Cancelled; carries the tokens generated so far.</exception>
    public GenerationResult Generate(
        ReadOnlySpan<int> promptTokens,
        GenerationOptions? options = null,
        Action<TokenEvent>? onToken = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new GenerationOptions();
        options.Validate();
        if (promptTokens.IsEmpty)
        {
            throw new InvalidOptionException("prompt", "is empty: give at least one token (most models add BOS to any text)");
        }

        if (promptTokens.Length + 1 > _context.Size)
        {
            throw new PromptTooLongException(promptTokens.Length, _context.Size);
        }

        foreach (var token in promptTokens)
        {
            if ((uint)token >= (uint)Model.Info.VocabularySize)
            {
                throw new InvalidOptionException("prompt", $"token id {token} is outside the vocabulary of {Model.Info.VocabularySize}");
            }
        }

        if (Interlocked.Exchange(ref _busy, 1) != 0)
        {
            throw new InvalidOperationException("This session is already generating; create one session per concurrent caller.");
        }

        try
        {
            using var selector = CreateSelector(options.Sampling);
            var drafter = CreateDrafter(options);
            return _loop.Run(_context, promptTokens, options, drafter, selector, onToken, cancellationToken);
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _context.Dispose();

    private ITokenSelector CreateSelector(SamplingOptions sampling)
        => sampling.IsGreedy ? new GreedySelector(_context) : new NativeSampler(_context, sampling);

    private IDraftSource? CreateDrafter(GenerationOptions options)
    {
        if (options.Mode == DecodingMode.Greedy)
        {
            return null;
        }

        if (Model.Info.IsRecurrent)
        {
            _logger.LogWarning("{Model} is recurrent: its memory cannot roll back rejected drafts, so {Mode} runs as plain decoding.", Model.Info.Name, options.Mode);
            return null;
        }

        throw new InvalidOptionException(nameof(options.Mode), $"{options.Mode} is not available yet");
    }
}
