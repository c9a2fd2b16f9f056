namespace LookupDecode.Drafting.Suffix;

/// <summary>
/// Earlier outputs a <see cref="SuffixDrafter"/> drafts from: what an app or server generated before is often what it
/// generates again (the same answers, templates, code). Outputs are appended, separated so no match crosses two of them,
/// and indexed like the drafter's own history. Bounded by <see cref="Capacity"/> tokens: past it the oldest outputs are
/// dropped (down to three quarters of the capacity, so the rebuild is amortized). Thread-safe: shared by every session
/// of a process (readers and writers take <see cref="Gate"/>).
/// </summary>
public sealed class SuffixMemory
{
    private readonly Queue<int> _outputLengths = new();

    /// <summary>Creates an empty memory of at most <paramref name="capacity"/> tokens.</summary>
    public SuffixMemory(int capacity = 1 << 16)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 64);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, MaxCapacity);
        Capacity = capacity;
        Index = new SuffixIndex(Math.Min(capacity, 1024));
    }

    /// <summary>Largest capacity: eviction re-indexes up to three quarters of it under the lock (about 0.5 s at 2^22 tokens).</summary>
    public const int MaxCapacity = 1 << 22;

    /// <summary>Most tokens held (outputs plus one separator each).</summary>
    public int Capacity { get; }

    /// <summary>Tokens held now.</summary>
    public int Count
    {
        get
        {
            lock (Gate)
            {
                return Index.Count;
            }
        }
    }

    /// <summary>Outputs held now.</summary>
    public int OutputCount
    {
        get
        {
            lock (Gate)
            {
                return _outputLengths.Count;
            }
        }
    }

    /// <summary>
    /// Bytes the memory uses at most when full, worst case (text whose n-grams never repeat): per token the token, a chain
    /// link per indexed n-gram size and a hash entry per size with the hash tables' growth slack — 640 bytes. Measured:
    /// 530 bytes per token for random tokens (<c>SuffixMemoryBoundTests</c>); real text repeats n-grams and uses less.
    /// </summary>
    public long MaxBytes => (long)Capacity * BytesPerToken;

    /// <summary>The worst-case bytes per remembered token used by <see cref="MaxBytes"/>.</summary>
    public const int BytesPerToken = 640;

    internal Lock Gate { get; } = new();

    internal SuffixIndex Index { get; private set; }

    /// <summary>Remembers one output (token ids ≥ 0; empty outputs are ignored; longer than the capacity keeps its end).</summary>
    public void Add(ReadOnlySpan<int> output)
    {
        if (output.IsEmpty)
        {
            return;
        }

        if (output.Length >= Capacity)
        {
            output = output[^(Capacity / 2)..];
        }

        foreach (var token in output)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(token, nameof(output));
        }

        lock (Gate)
        {
            if (Index.Count + output.Length + 1 > Capacity)
            {
                Evict(Capacity * 3 / 4 - output.Length - 1);
            }

            Index.Append(SuffixIndex.Separator);
            Index.AppendRange(output);
            _outputLengths.Enqueue(output.Length);
        }
    }

    /// <summary>The outputs held, oldest first (for saving).</summary>
    public IReadOnlyList<int[]> Outputs()
    {
        lock (Gate)
        {
            var outputs = new List<int[]>(_outputLengths.Count);
            var tokens = Index.Tokens;
            var position = 0;
            foreach (var length in _outputLengths)
            {
                outputs.Add(tokens.Slice(position + 1, length).ToArray());
                position += length + 1;
            }

            return outputs;
        }
    }

    /// <summary>Drops the oldest outputs until at most <paramref name="target"/> tokens remain, and re-indexes the rest.</summary>
    private void Evict(int target)
    {
        var held = Index.Count;
        var skip = 0;
        while (_outputLengths.Count > 0 && held > Math.Max(target, 0))
        {
            var length = _outputLengths.Dequeue();
            held -= length + 1;
            skip += length + 1;
        }

        var kept = Index.Tokens[skip..].ToArray();
        var rebuilt = new SuffixIndex(Math.Max(kept.Length, 4096));
        rebuilt.AppendRange(kept);
        Index = rebuilt;
    }
}
