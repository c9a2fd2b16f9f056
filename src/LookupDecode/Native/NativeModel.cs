using System.Text;
using LLama;
using LLama.Exceptions;
using LLama.Native;
using LookupDecode.Models;
using LookupDecode.Text;

namespace LookupDecode.Native;

/// <summary>
/// Owns one llama.cpp model (<see cref="SafeLlamaModelHandle"/>): weights and vocabulary. Everything that
/// needs the vocabulary (tokenize, render pieces, end-of-generation test) goes through here, so the
/// tokenizer guard cannot be bypassed. Thread-safe for reads; contexts are created from it.
/// </summary>
internal sealed class NativeModel : IDisposable
{
    private readonly SafeLlamaModelHandle _handle;
    private readonly bool[] _endOfGeneration;
    private readonly VocabularyAlphabet? _alphabet;
    private readonly Lazy<TokenKinds> _tokenKinds;

    private NativeModel(string path, SafeLlamaModelHandle handle, IReadOnlyList<string>? tokenTexts)
    {
        Path = path;
        _handle = handle;
        var vocab = handle.Vocab;
        VocabularySize = vocab.Count;
        _endOfGeneration = new bool[VocabularySize];
        for (var token = 0; token < VocabularySize; token++)
        {
            _endOfGeneration[token] = ((LLamaToken)token).IsEndOfGeneration(vocab);
        }

        var alphabet = vocab.Type == LLamaVocabType.SentencePiece ? VocabularyAlphabet.FromTokenTexts(tokenTexts ?? []) : null;
        HasByteFallback = alphabet is null || alphabet.IsComplete;
        _alphabet = HasByteFallback ? null : alphabet;
        ControlTokens = ControlTokens.Read(vocab, tokenTexts);
        _tokenKinds = new(() => TokenKinds.FromPieces(VocabularySize, (token, destination) => WritePiece(token, destination, renderSpecial: false)));
    }

    public string Path { get; }

    /// <summary>The tokens read out of text only when special tokens are parsed (control and unknown tokens).</summary>
    public ControlTokens ControlTokens { get; }

    public string Name => System.IO.Path.GetFileName(Path);

    public int VocabularySize { get; }

    /// <summary>True when every character can be tokenized (byte fallback, or a tokenizer that never aborts).</summary>
    public bool HasByteFallback { get; }

    public int? BeginningOfSequence => (int?)_handle.Vocab.BOS;

    public int? EndOfSequence => (int?)_handle.Vocab.EOS;

    public bool AddsBeginningOfSequence => _handle.Vocab.ShouldAddBOS;

    public int TrainingContextLength => _handle.ContextSize;

    public int LayerCount => _handle.LayerCount;

    public int EmbeddingSize => _handle.EmbeddingSize;

    public bool IsRecurrent => _handle.IsRecurrent;

    public string Description => _handle.Description;

    public ulong SizeInBytes => _handle.SizeInBytes;

    public ulong ParameterCount => _handle.ParameterCount;

    internal SafeLlamaModelHandle Handle => _handle;

    /// <param name="path">The GGUF file.</param>
    /// <param name="options">How to load it.</param>
    /// <param name="tokenTexts">The file's <c>tokenizer.ggml.tokens</c>, which tell the tokenizer guard what it can encode.</param>
    public static NativeModel Load(string path, ModelOptions options, IReadOnlyList<string>? tokenTexts)
    {
        NativeRuntime.EnsureLoaded();
        var parameters = LLamaModelParams.Default();
        parameters.n_gpu_layers = options.GpuLayers < 0 ? int.MaxValue : options.GpuLayers;
        parameters.load_mode = options.UseMemoryMap ? LLamaLoadMode.MemoryMap : LLamaLoadMode.None;
        SafeLlamaModelHandle handle;
        try
        {
            handle = SafeLlamaModelHandle.LoadFromFile(path, parameters);
        }
        catch (LoadWeightsFailedException exception)
        {
            throw new ModelLoadException(path, "llama.cpp refused the file (unsupported architecture, missing tensors or keys); run with --verbose to see llama.cpp's reason", exception);
        }

        try
        {
            return new NativeModel(path, handle, tokenTexts);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Every token's place in a word (built on first use, from the tokens' texts).</summary>
    public TokenKinds TokenKinds => _tokenKinds.Value;

    public bool IsEndOfGeneration(int token) => (uint)token < (uint)_endOfGeneration.Length && _endOfGeneration[token];

    /// <summary>
    /// Tokenizes <paramref name="text"/> as llama.cpp's <c>common_tokenize</c> does. Refuses, with
    /// <see cref="UnsupportedTextException"/>, text the vocabulary cannot encode before the native tokenizer runs.
    /// </summary>
    public int[] Tokenize(string text, bool addSpecial, bool parseSpecial)
    {
        EnsureEncodable(text);
        var tokens = _handle.Tokenize(text, addSpecial, parseSpecial, Encoding.UTF8);
        var result = new int[tokens.Length];
        for (var i = 0; i < tokens.Length; i++)
        {
            result[i] = (int)tokens[i];
        }

        return result;
    }

    /// <summary>Throws <see cref="UnsupportedTextException"/> if the native tokenizer would abort on <paramref name="text"/>.</summary>
    public void EnsureEncodable(string text)
    {
        if (_alphabet?.FindFirstUnsupported(text) is { } problem)
        {
            throw new UnsupportedTextException(Name, problem.Character, problem.Position);
        }
    }

    /// <summary>Whether <paramref name="text"/> can be tokenized without the native tokenizer aborting.</summary>
    public bool CanEncode(string text) => _alphabet?.FindFirstUnsupported(text) is null;

    /// <summary>Writes the UTF-8 bytes of a token's text; returns the byte count (may exceed the span: then nothing useful is written).</summary>
    public int WritePiece(int token, Span<byte> destination, bool renderSpecial)
        => (int)_handle.TokenToSpan((LLamaToken)token, destination, 0, renderSpecial);

    /// <summary>The text of a sequence of tokens, special tokens rendered as their text (as llama.cpp's examples print).</summary>
    public string Detokenize(ReadOnlySpan<int> tokens, bool renderSpecial = true)
    {
        var decoder = new NativeTextDecoder(this, renderSpecial);
        foreach (var token in tokens)
        {
            decoder.Add(token);
        }

        return decoder.Read();
    }

    /// <summary>The chat template stored in the model, or <c>null</c>.</summary>
    public string? ChatTemplate
    {
        get
        {
            try
            {
                return _handle.GetTemplate(null, strict: true);
            }
            catch (RuntimeError)
            {
                return null;
            }
        }
    }

    /// <summary>
    /// Formats chat messages with the model's own chat template (llama.cpp <c>llama_chat_apply_template</c>), ending
    /// with the assistant's turn when <paramref name="addAssistantTurn"/> is set.
    /// </summary>
    /// <exception cref="ChatTemplateException">The model has no chat template llama.cpp can apply.</exception>
    public string ApplyChatTemplate(IEnumerable<(string Role, string Content)> messages, bool addAssistantTurn, string? templateName = null)
    {
        LLamaTemplate template;
        try
        {
            template = templateName is null
                ? new LLamaTemplate(_handle, name: null, strict: true) { AddAssistant = addAssistantTurn }
                : new LLamaTemplate(templateName) { AddAssistant = addAssistantTurn };
        }
        catch (RuntimeError exception)
        {
            throw new ChatTemplateException(Name, exception);
        }

        foreach (var (role, content) in messages)
        {
            template.Add(role, content);
        }

        try
        {
            return Encoding.UTF8.GetString(template.Apply());
        }
        catch (RuntimeError exception)
        {
            throw new ChatTemplateException(Name, exception);
        }
    }

    /// <summary>Formats and tokenizes a chat; only the template's own markers become control tokens (see <see cref="ChatTokenizer"/>).</summary>
    /// <exception cref="ChatTemplateException">The model has no chat template llama.cpp can apply.</exception>
    /// <exception cref="InvalidOptionException">A message holds a control token's text and the template cannot keep it as text.</exception>
    public int[] TokenizeChat(IReadOnlyList<(string Role, string Content)> messages, bool addAssistantTurn, string? templateName)
        => ChatTokenizer.Tokenize(this, messages, addAssistantTurn, templateName);

    /// <summary>A metadata value as a string, or <c>null</c>.</summary>
    public string? Metadata(string key)
    {
        var value = _handle.MetadataValueByKey(key);
        return value is { } bytes ? Encoding.UTF8.GetString(bytes.Span) : null;
    }

    public void Dispose() => _handle.Dispose();
}
