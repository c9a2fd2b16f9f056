using LookupDecode.Gguf;

namespace LookupDecode.Models;

/// <summary>
/// Everything checked about a model file before llama.cpp may open it: it exists, is a readable regular file, is
/// well-formed GGUF (<see cref="GgufReader"/>), and carries what llama.cpp reads without checking — the architecture's
/// required hyperparameters within sane bounds, and tokenizer arrays of consistent lengths (llama.cpp indexes the
/// scores and token types by token id, so a short array would be read past its end). A refused file never reaches it.
/// </summary>
public static class ModelFileCheck
{
    private const int MaxVocabulary = 1 << 24;

    /// <summary>Checks <paramref name="path"/>; returns its GGUF directory or throws <see cref="ModelLoadException"/>.</summary>
    public static GgufFile Check(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (Directory.Exists(path))
        {
            throw new ModelLoadException(path, "it is a directory, not a GGUF file");
        }

        if (!File.Exists(path))
        {
            throw new ModelLoadException(path, "the file does not exist");
        }

        GgufFile file;
        try
        {
            file = GgufReader.Read(path);
        }
        catch (UnauthorizedAccessException exception)
        {
            throw new ModelLoadException(path, "the file cannot be read (permission denied)", exception);
        }
        catch (IOException exception)
        {
            throw new ModelLoadException(path, $"the file cannot be read ({exception.Message})", exception);
        }

        CheckModel(file);
        return file;
    }

    /// <summary>The model-level rules, on an already-read GGUF directory.</summary>
    public static void CheckModel(GgufFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var architecture = file.Architecture;
        if (string.IsNullOrEmpty(architecture))
        {
            throw Refuse(file, "the metadata has no string 'general.architecture': llama.cpp cannot tell what model this is");
        }

        if (file.Tensors.Count == 0)
        {
            throw new GgufFormatException(file.Path, file.DataOffset, "the file has no tensors (a vocabulary-only GGUF cannot generate text)");
        }

        var layers = RequireCount(file, $"{architecture}.block_count", 100_000);
        var width = RequireCount(file, $"{architecture}.embedding_length", 1 << 20);
        RequireCount(file, $"{architecture}.context_length", 1 << 24);
        CheckHeadCount(file, $"{architecture}.attention.head_count", layers, width);
        CheckHeadCount(file, $"{architecture}.attention.head_count_kv", layers, width);
        CheckTokenizer(file);
    }

    private static long RequireCount(GgufFile file, string key, long maximum)
    {
        if (!file.TryGetValue(key, out var value))
        {
            throw Refuse(file, $"the architecture needs '{key}', which is missing");
        }

        if (value.AsInt64() is not { } count || count < 1 || count > maximum)
        {
            throw Refuse(file, $"'{key}' must be an integer from 1 to {maximum}, not {value.Type} {value}");
        }

        return count;
    }

    /// <summary>A head count is absent, one integer, or one integer per layer.</summary>
    private static void CheckHeadCount(GgufFile file, string key, long layers, long width)
    {
        if (!file.TryGetValue(key, out var value))
        {
            return;
        }

        if (value.AsArray() is { } perLayer)
        {
            if (perLayer.Length != layers || perLayer.ElementType is GgufValueType.String or GgufValueType.Float32 or GgufValueType.Float64 or GgufValueType.Bool)
            {
                throw Refuse(file, $"'{key}' as an array must hold one integer per layer ({layers}), not {perLayer.Length} {perLayer.ElementType}");
            }

            foreach (var item in perLayer.Items)
            {
                var headsInLayer = Convert.ToInt64(item, System.Globalization.CultureInfo.InvariantCulture);
                if (headsInLayer < 0 || headsInLayer > width)
                {
                    throw Refuse(file, $"'{key}' has a layer with {item} heads (0 to {width} allowed)");
                }
            }

            return;
        }

        if (value.AsInt64() is not { } heads || heads < 0 || heads > width)
        {
            throw Refuse(file, $"'{key}' must be an integer from 0 to the embedding width {width}, not {value.Type} {value}");
        }
    }

    private static void CheckTokenizer(GgufFile file)
    {
        var model = file.GetString("tokenizer.ggml.model");
        if (model is null || model == "none")
        {
            return;
        }

        if (!file.TryGetValue("tokenizer.ggml.tokens", out var tokensValue) || tokensValue.AsArray() is not { ElementType: GgufValueType.String } tokens)
        {
            throw Refuse(file, $"tokenizer '{model}' needs 'tokenizer.ggml.tokens' as an array of strings");
        }

        if (tokens.Length is 0 or > MaxVocabulary)
        {
            throw Refuse(file, $"'tokenizer.ggml.tokens' holds {tokens.Length} tokens (1 to {MaxVocabulary} allowed)");
        }

        CheckParallelArray(file, "tokenizer.ggml.scores", GgufValueType.Float32, tokens.Length);
        CheckParallelArray(file, "tokenizer.ggml.token_type", GgufValueType.Int32, tokens.Length);
        if (file.TryGetValue("tokenizer.ggml.merges", out var merges) && merges.AsArray() is not { ElementType: GgufValueType.String })
        {
            throw Refuse(file, "'tokenizer.ggml.merges' must be an array of strings");
        }
    }

    private static void CheckParallelArray(GgufFile file, string key, GgufValueType elementType, int length)
    {
        if (!file.TryGetValue(key, out var value))
        {
            return;
        }

        if (value.AsArray() is not { } array || array.ElementType != elementType || array.Length != length)
        {
            var actual = value.AsArray() is { } found ? $"{found.Length} {found.ElementType}" : value.Type.ToString();
            throw Refuse(file, $"'{key}' must be {length} {elementType} values, one per token (llama.cpp reads it by token id), not {actual}");
        }
    }

    private static GgufFormatException Refuse(GgufFile file, string rule) => new(file.Path, MetadataOffset(file), rule);

    /// <summary>Metadata rules are reported at the start of the metadata (byte 24).</summary>
    private static long MetadataOffset(GgufFile file) => Math.Min(24, file.FileLength);
}
