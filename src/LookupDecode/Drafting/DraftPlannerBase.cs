namespace LookupDecode.Drafting;

/// <summary>
/// What every planner does with its drafters alike: begin, observe and end them together, and dispose them (a planner
/// owns the drafters it was built with). Planners differ only in how they plan a step and learn from its outcome.
/// </summary>
internal abstract class DraftPlannerBase<TSource>(IReadOnlyList<TSource> sources) : IDraftPlanner
    where TSource : IDraftSource
{
    /// <summary>The drafters, in the plan's order.</summary>
    protected TSource[] Sources { get; } = [.. sources];

    public virtual void Begin(ReadOnlySpan<int> prompt)
    {
        foreach (var source in Sources)
        {
            source.Begin(prompt);
        }
    }

    public virtual void Observe(ReadOnlySpan<int> history)
    {
        foreach (var source in Sources)
        {
            source.Observe(history);
        }
    }

    public abstract int Plan(ReadOnlySpan<int> history, Span<int> draft, int depth);

    public abstract string? LastDrafter { get; }

    public abstract void Verified(ReadOnlySpan<int> verified, ReadOnlySpan<int> emitted, int batchSize, int depth, double milliseconds);

    public void End(ReadOnlySpan<int> history)
    {
        foreach (var source in Sources)
        {
            source.End(history);
        }
    }

    public TimeSpan DrafterDecodeTime
    {
        get
        {
            var total = TimeSpan.Zero;
            foreach (var source in Sources)
            {
                if (ScoredDraftSource.Unwrap(source) is IDecodingDraftSource decoding)
                {
                    total += decoding.DecodeTime;
                }
            }

            return total;
        }
    }

    public void Dispose()
    {
        foreach (var source in Sources)
        {
            source.Dispose();
        }
    }
}
