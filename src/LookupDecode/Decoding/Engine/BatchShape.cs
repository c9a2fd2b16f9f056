using LookupDecode.Calibration;
using LookupDecode.Drafting;

namespace LookupDecode.Decoding;

/// <summary>
/// A step's batch as llama.cpp will compute it, for pricing: how many tokens each sequence puts in it, and what that costs
/// once split into micro-batches. One shared cache (<see cref="KvLayout.Unified"/>) takes tokens in order, so the cost is
/// T(total). One stream per sequence (<see cref="KvLayout.PerSequence"/>) needs every micro-batch to take the same number
/// of tokens from each of a run of consecutive sequence ids (llama.cpp's <c>split_equal</c>): sequences with more tokens
/// than the others cost micro-batches of their own, each a pass over the weights. A sequence's drafts are priced at what
/// they add to that (<see cref="IMarginalCost"/>). Allocates nothing per step.
/// </summary>
internal sealed class BatchShape(int sequences, bool unified, int microBatch) : IMarginalCost
{
    private readonly int[] _counts = new int[sequences];
    private readonly int[] _remaining = new int[sequences];
    private CostModel? _cost;
    private int _depth;
    private int _planning = -1;
    private double _withoutPlanning;

    /// <summary>Micro-batches the batch as it stands splits into.</summary>
    public int MicroBatches { get; private set; }

    /// <summary>Starts a step's batch, priced by <paramref name="cost"/> at <paramref name="depth"/>.</summary>
    public void Reset(CostModel? cost, int depth)
    {
        Array.Clear(_counts);
        _cost = cost;
        _depth = depth;
        _planning = -1;
    }

    /// <summary>Sets how many tokens sequence <paramref name="id"/> puts in the batch.</summary>
    public void Set(int id, int tokens) => _counts[id] = tokens;

    /// <summary>Prices the next <see cref="Marginal"/> calls for sequence <paramref name="id"/> against the rest of the batch.</summary>
    public void Planning(int id)
    {
        _planning = id;
        var own = _counts[id];
        _counts[id] = 0;
        _withoutPlanning = Cost();
        _counts[id] = own;
    }

    /// <summary>
    /// How much more a step with drafts has been found to cost, per unit the curve predicts, than a step without (learned
    /// by the engine from its own decode times; 1 until known): the drafts' share of a marginal cost is scaled by it.
    /// </summary>
    public double DraftPenalty { get; set; } = 1;

    /// <inheritdoc />
    public double Marginal(int tokens)
    {
        var own = _counts[_planning];
        _counts[_planning] = Math.Min(tokens, 1);
        var plain = Cost() - _withoutPlanning;
        _counts[_planning] = tokens;
        var with = Cost() - _withoutPlanning;
        _counts[_planning] = own;
        return plain + ((with - plain) * DraftPenalty);
    }

    /// <summary>The batch's cost in single-token decodes (0 without a cost model), and sets <see cref="MicroBatches"/>.</summary>
    public double Cost()
    {
        var micro = 0;
        var cost = 0.0;
        if (unified)
        {
            var total = 0;
            foreach (var count in _counts)
            {
                total += count;
            }

            for (var left = total; left > 0; left -= microBatch)
            {
                cost += Price(Math.Min(left, microBatch));
                micro++;
            }
        }
        else
        {
            Array.Copy(_counts, _remaining, _counts.Length);
            for (var first = 0; first < _remaining.Length;)
            {
                if (_remaining[first] == 0)
                {
                    first++;
                    continue;
                }

                // A run of consecutive ids with tokens left, each giving the run's smallest count (within the micro-batch).
                var end = first;
                var least = int.MaxValue;
                while (end < _remaining.Length && _remaining[end] > 0 && end - first < microBatch)
                {
                    least = Math.Min(least, _remaining[end]);
                    end++;
                }

                var width = end - first;
                least = Math.Min(least, Math.Max(1, microBatch / width));
                for (var id = first; id < end; id++)
                {
                    _remaining[id] -= least;
                }

                cost += Price(width * least);
                micro++;
            }
        }

        MicroBatches = micro;
        return cost;
    }

    private double Price(int tokens) => _cost?.RelativeCost(tokens, _depth) ?? 0;
}
