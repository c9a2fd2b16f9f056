using LookupDecode.Files;
using LookupDecode.Gguf;
using LookupDecode.Models.Gate;

namespace LookupDecode.Models;

/// <summary>
/// Everything checked about a model file before llama.cpp may open it: it is an existing, readable regular file
/// (never a FIFO or device, which would block or not seek), well-formed GGUF (<see cref="GgufReader"/>), and free of
/// what llama.cpp asserts on (aborting the process) or trusts blindly: layer, head, expert and rope hyperparameters
/// (<c>HyperparameterRules</c>), tensor types (<c>TensorRules</c>), the vocabulary (<c>VocabularyRules</c>), and NaN
/// or infinite weights (<c>WeightScan</c>). A refused file never reaches llama.cpp. What no list can enumerate is left
/// to the child-process check (<see cref="ModelCheckMode.Child"/>).
/// </summary>
public static class ModelFileCheck
{
    /// <summary>Checks <paramref name="path"/>; returns its GGUF directory or throws <see cref="ModelLoadException"/>.</summary>
    public static GgufFile Check(string path) => Check(path, scanWeights: true);

    /// <summary>Checks <paramref name="path"/>, with or without the weight scan; returns its GGUF directory or throws <see cref="ModelLoadException"/>.</summary>
    public static GgufFile Check(string path, bool scanWeights)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        RequireRegular(path);

        try
        {
            using var stream = SafeFiles.OpenRead(path, "model");
            var file = GgufReader.Read(stream, path);
            CheckModel(file);
            if (scanWeights)
            {
                WeightScan.Check(file, stream);
            }

            return file;
        }
        catch (UnauthorizedAccessException exception)
        {
            throw new ModelLoadException(path, "the file cannot be read (permission denied)", exception);
        }
        catch (IOException exception)
        {
            throw new ModelLoadException(path, $"the file cannot be read ({exception.Message})", exception);
        }
    }

    /// <summary>Only the file-kind checks and the GGUF structure (<see cref="ModelCheckMode.None"/>); the model rules are skipped.</summary>
    public static GgufFile ReadStructure(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        RequireRegular(path);
        try
        {
            return GgufReader.Read(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new ModelLoadException(path, $"the file cannot be read ({exception.Message})", exception);
        }
    }

    /// <summary>The model-level rules, on an already-read GGUF directory (the weights are not read).</summary>
    public static void CheckModel(GgufFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var architecture = file.Architecture;
        if (string.IsNullOrEmpty(architecture))
        {
            throw GateValues.Refuse(file, "the metadata has no string 'general.architecture': llama.cpp cannot tell what model this is");
        }

        if (file.Tensors.Count == 0)
        {
            throw new GgufFormatException(file.Path, file.DataOffset, "the file has no tensors (a vocabulary-only GGUF cannot generate text)");
        }

        HyperparameterRules.Check(file, architecture);
        TensorRules.Check(file, architecture);
        VocabularyRules.Check(file);
    }

    private static void RequireRegular(string path)
    {
        switch (SafeFiles.KindOf(path))
        {
            case FileKind.Missing:
                throw new ModelLoadException(path, "the file does not exist");
            case FileKind.Directory:
                throw new ModelLoadException(path, "it is a directory, not a GGUF file");
            case not FileKind.Regular and var kind:
                throw new ModelLoadException(path, $"it is {SafeFiles.Describe(kind)}, not a regular file (only regular files are opened)");
        }
    }

    /// <summary>The weight scan alone (NaN and infinity) of the file at <paramref name="path"/>, whose directory is <paramref name="file"/>.</summary>
    public static void ScanWeights(GgufFile file, string path)
    {
        ArgumentNullException.ThrowIfNull(file);
        try
        {
            using var stream = SafeFiles.OpenRead(path, "model");
            WeightScan.Check(file, stream);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new ModelLoadException(path, $"the file cannot be read ({exception.Message})", exception);
        }
    }

    /// <summary>The weight scan alone (NaN and infinity), on a seekable stream of the file <paramref name="file"/> was read from.</summary>
    public static void ScanWeights(GgufFile file, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(stream);
        WeightScan.Check(file, stream);
    }
}
