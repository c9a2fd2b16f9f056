namespace LookupDecode.Decoding;

/// <summary>A request handed to a <see cref="DecodingEngine"/>, checked, waiting for a sequence or running in one.</summary>
internal sealed class EngineRequest(int[] prompt, GenerationOptions options, Action<TokenEvent>? onToken, CancellationToken cancellationToken)
{
    public int[] Prompt { get; } = prompt;

    public GenerationOptions Options { get; } = options;

    public Action<TokenEvent>? OnToken { get; } = onToken;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>Completed on the engine's thread; continuations run elsewhere, so a caller never runs inside a step.</summary>
    public TaskCompletionSource<GenerationResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Wakes the engine when the caller cancels, so a waiting or idle engine notices at once.</summary>
    public CancellationTokenRegistration Wake { get; set; }
}
