using LookupDecode.Gguf;

namespace LookupDecode.Models;

/// <summary>
/// Everything checked about a model file before llama.cpp may open it: it exists, is a readable regular
/// file, and is well-formed GGUF (<see cref="GgufReader"/>) with what a model needs. llama.cpp's own reader
/// trusts its input; a file refused here never reaches it.
/// </summary>
public static class ModelFileCheck
{
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

        var architecture = file.Architecture;
        if (string.IsNullOrEmpty(architecture))
        {
            throw new GgufFormatException(path, 0, "the metadata has no string 'general.architecture': llama.cpp cannot tell what model this is");
        }

        if (file.Tensors.Count == 0)
        {
            throw new GgufFormatException(path, file.DataOffset, "the file has no tensors (a vocabulary-only GGUF cannot generate text)");
        }

        return file;
    }
}
