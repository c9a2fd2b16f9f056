namespace LookupDecode.Hosting.Load;

/// <summary>What a <see cref="ChatLoadTest"/> saw.</summary>
/// <param name="Requests">Requests sent in the measured phase.</param>
/// <param name="Completed">Requests that streamed to the end.</param>
/// <param name="Cancelled">Requests cancelled part-way, as planned.</param>
/// <param name="Mismatches">Completed requests whose text differed from the expected (sequential) text.</param>
/// <param name="Failures">Requests that ended with an unexpected exception (first few messages in <paramref name="FailureMessages"/>).</param>
/// <param name="Duration">Wall time of the measured phase.</param>
/// <param name="ResidentBytesStart">Process resident memory after warm-up.</param>
/// <param name="ResidentBytesEnd">Process resident memory after the measured phase.</param>
/// <param name="ManagedBytesStart">Managed heap after warm-up (after a full collection).</param>
/// <param name="ManagedBytesEnd">Managed heap after the measured phase (after a full collection).</param>
/// <param name="SessionsAvailableAfter">Pool sessions free afterwards (all of them when nothing leaked).</param>
/// <param name="PoolCapacity">Pool capacity.</param>
/// <param name="FailureMessages">Up to ten failure messages.</param>
public sealed record ChatLoadReport(
    int Requests,
    int Completed,
    int Cancelled,
    int Mismatches,
    int Failures,
    TimeSpan Duration,
    long ResidentBytesStart,
    long ResidentBytesEnd,
    long ManagedBytesStart,
    long ManagedBytesEnd,
    int SessionsAvailableAfter,
    int PoolCapacity,
    IReadOnlyList<string> FailureMessages)
{
    /// <summary>No request lost, none failed, every completed text as expected, every session back in the pool.</summary>
    public bool Passed => Completed + Cancelled == Requests && Failures == 0 && Mismatches == 0 && SessionsAvailableAfter == PoolCapacity;

    /// <inheritdoc />
    public override string ToString() =>
        $"{Requests} requests ({Completed} completed, {Cancelled} cancelled, {Mismatches} mismatched, {Failures} failed) in {Duration.TotalSeconds:F1} s; "
        + $"RSS {ResidentBytesStart / 1048576.0:F1} → {ResidentBytesEnd / 1048576.0:F1} MB, managed {ManagedBytesStart / 1048576.0:F1} → {ManagedBytesEnd / 1048576.0:F1} MB; "
        + $"{SessionsAvailableAfter}/{PoolCapacity} sessions free";
}
