namespace LookupDecode.Models;

/// <summary>How much a model file is checked before llama.cpp loads it into this process.</summary>
public enum ModelCheckMode
{
    /// <summary>
    /// The managed checks, then llama.cpp itself loads the file and decodes once in a child process: an abort there
    /// (llama.cpp has more assertions than any list) becomes a <see cref="ModelLoadException"/> naming the signal and
    /// llama.cpp's last words, and this process never sees the file. The verdict is cached per file identity (size,
    /// modification time, hash of the header), so only the first load of a file pays. The default.
    /// </summary>
    Child,

    /// <summary>
    /// The managed checks only: GGUF structure, the hyperparameter, tensor and vocabulary rules llama.cpp asserts on,
    /// and a scan for NaN or infinite weights. Fast; a file breaking a rule not on the list can still abort the process.
    /// </summary>
    Managed,

    /// <summary>Only what reading the GGUF structure needs. For files you produced yourself; a hostile file can crash the process.</summary>
    None,
}
