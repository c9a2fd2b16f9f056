namespace LookupDecode.Benchmarks.EndToEnd;

/// <summary>One measured configuration on one task: ours or upstream's, median of the repeats.</summary>
/// <param name="Task">Prompt name (summarize-article, code-edit, …).</param>
/// <param name="Engine">"lookupdecode" or "llama.cpp".</param>
/// <param name="Variant">Label: greedy, lookup-d3, prompt-lookup-d10, upstream-d0, …</param>
/// <param name="Draft">Draft length (0 for plain decoding).</param>
/// <param name="TokensPerSecond">Median decode speed.</param>
/// <param name="Speedup">Over the same engine's plain decoding on the same task.</param>
/// <param name="Drafted">n_drafted.</param>
/// <param name="Accepted">n_accept.</param>
/// <param name="Generated">n_predict.</param>
/// <param name="PeakMemoryMegabytes">Peak resident memory (0 when unknown).</param>
/// <param name="Identical">Whether the tokens equal the engine's plain decoding (null when not checked).</param>
/// <param name="ManagedOverheadShare">Managed time per step / native decode time per step (ours only).</param>
public sealed record BenchmarkRecord(
    string Task,
    string Engine,
    string Variant,
    int Draft,
    double TokensPerSecond,
    double Speedup,
    int Drafted,
    int Accepted,
    int Generated,
    double PeakMemoryMegabytes,
    bool? Identical,
    double ManagedOverheadShare = 0)
{
    public const string Ours = "lookupdecode";
    public const string Upstream = "llama.cpp";

    public double AcceptPercent => Drafted > 0 ? 100.0 * Accepted / Drafted : 0;
}
