using System.Diagnostics;
using LookupDecode.Calibration;
using LookupDecode.Drafting;

namespace LookupDecode.Decoding;

/// <summary>
/// One step of the engine: stop what was cancelled or is full; give every running sequence its pending token; give
/// joining sequences prompt chunks from what is left of the step (always some, so a long prompt moves on while streams
/// run); let each drafting sequence plan against the batch assembled so far (<see cref="BatchPrice"/>: its drafts' marginal
/// cost at the batch's size, weighed against the throughput the batch earns); decode once; verify each sequence at its own
/// indices and roll back only its rejected cells.
/// </summary>
public sealed partial class DecodingEngine
{
    private const double RateLearning = 0.1;

    /// <summary>Tokens per single-token decode's worth of time the batch has been earning (learned, floored by plain decoding's).</summary>
    private double _rate = 1;

    /// <summary>The cost model that prices shared batches: the adaptive requests' (the first one's curve).</summary>
    private CostModel? _batchCost;

    private readonly BatchShape _shape;

    /// <summary>Milliseconds per unit of predicted cost, learned apart for shared steps without drafts and with them.</summary>
    private double _plainUnit = double.NaN;
    private double _draftedUnit = double.NaN;

    private void Step()
    {
        var stepStart = Stopwatch.GetTimestamp();
        StopCancelledAndFull();
        _context.ClearBatch();
        var decoding = 0;
        var depthSum = 0L;
        var feeding = 0;
        var draftReserve = 0;
        foreach (var sequence in _sequences)
        {
            sequence.BatchCount = 0;
            sequence.DraftCount = 0;
            if (sequence.IsFree)
            {
                continue;
            }

            if (sequence.IsFeeding)
            {
                feeding++;
                continue;
            }

            decoding++;
            depthSum += sequence.Past;
            sequence.BatchCount = 1;
            if (sequence.Run!.Drafter is not null)
            {
                draftReserve += sequence.Run.Options.Drafting.MaxLength;
            }
        }

        if (decoding + feeding == 0)
        {
            return;
        }

        var used = decoding;
        if (feeding > 0)
        {
            // Drafts may keep at most half of what is left; prompt chunks get the rest, at least one token each step.
            var room = StepTokens - used;
            var feedRoom = Math.Max(1, room - Math.Min(draftReserve, room / 2));
            foreach (var sequence in _sequences)
            {
                if (sequence.IsFree || !sequence.IsFeeding || feedRoom == 0)
                {
                    continue;
                }

                var chunk = Math.Min(sequence.FeedEnd - sequence.FedTo, feedRoom);
                sequence.BatchCount = chunk;
                feedRoom -= chunk;
                used += chunk;
            }
        }

        var depth = decoding == 0 ? 0 : (int)(depthSum / decoding);
        var solo = decoding == 1 && used == 1;
        var fedTokens = used - decoding;
        used = PlanDrafts(used, decoding, depth, solo);
        Assemble();

        var start = Stopwatch.GetTimestamp();
        try
        {
            _context.DecodeBatch();
        }
        catch (DecodeFailedException exception)
        {
            foreach (var sequence in _sequences)
            {
                if (!sequence.IsFree && sequence.BatchCount > 0)
                {
                    Finish(sequence, exception);
                }
            }

            return;
        }

        var ticks = Stopwatch.GetTimestamp() - start;
        var milliseconds = Stopwatch.GetElapsedTime(0, ticks).TotalMilliseconds;
        var emitted = 0;
        foreach (var sequence in _sequences)
        {
            if (sequence.IsFree || sequence.BatchCount == 0)
            {
                continue;
            }

            try
            {
                emitted += sequence.IsFeeding ? Feed(sequence) : Advance(sequence, ticks, solo ? milliseconds : double.NaN);
            }
            catch (Exception exception)
            {
                Finish(sequence, exception);
            }
        }

        Interlocked.Increment(ref _steps);
        Interlocked.Add(ref _decodeTicks, ticks);
        Interlocked.Add(ref _stepTicks, Stopwatch.GetTimestamp() - stepStart);
        Interlocked.Add(ref _batchTokens, used);
        Interlocked.Add(ref _emittedTokens, emitted);
        LearnBatch(used, depth, milliseconds, emitted, solo, drafted: used > decoding + fedTokens);
    }

    private void StopCancelledAndFull()
    {
        foreach (var sequence in _sequences)
        {
            if (sequence.IsFree)
            {
                continue;
            }

            var request = sequence.Request!;
            if (request.CancellationToken.IsCancellationRequested)
            {
                Finish(sequence, new GenerationCanceledException(sequence.Run!.Finish(StopReason.Cancelled), request.CancellationToken));
            }
            else if (!sequence.IsFeeding && sequence.Past + 1 > _context.Size)
            {
                sequence.Run!.StopReason = StopReason.ContextFull;
                Finish(sequence);
            }
        }
    }

    /// <summary>
    /// Lets each drafting sequence plan, in turn (starting one further each step), against the batch as assembled so far
    /// (<see cref="BatchShape"/>: its drafts' marginal cost as llama.cpp will split the batch); returns the batch's size
    /// with the drafts.
    /// </summary>
    private int PlanDrafts(int used, int decoding, int depth, bool alone)
    {
        _shape.Reset(_batchCost, depth);
        foreach (var sequence in _sequences)
        {
            _shape.Set(sequence.Id, sequence.IsFree ? 0 : sequence.BatchCount);
        }

        // Drafts must keep up with what the batch earns: the learned rate, never below plain decoding's for this batch.
        var rate = _batchCost is null ? _rate : Math.Max(_rate, decoding / Math.Max(_shape.Cost(), 1e-9));
        var first = (int)(Interlocked.Read(ref _steps) % _sequences.Length);
        for (var k = 0; k < _sequences.Length; k++)
        {
            var sequence = _sequences[(first + k) % _sequences.Length];
            if (sequence.IsFree || sequence.IsFeeding || sequence.Run!.Drafter is not { } planner)
            {
                continue;
            }

            var limit = sequence.Run.DraftLimit(sequence.Past, _context.Size, StepTokens - used);
            if (limit == 0)
            {
                continue;
            }

            if (!alone)
            {
                _shape.Planning(sequence.Id);
            }

            planner.PriceNextStep(alone ? BatchPrice.Solo : new BatchPrice(_shape, rate));
            sequence.DraftCount = sequence.Run.Draft(sequence.DraftBuffer[..limit], sequence.Past);
            sequence.BatchCount += sequence.DraftCount;
            _shape.Set(sequence.Id, sequence.BatchCount);
            used += sequence.DraftCount;
        }

        return used;
    }

    private void Assemble()
    {
        foreach (var sequence in _sequences)
        {
            if (sequence.IsFree || sequence.BatchCount == 0)
            {
                continue;
            }

            if (sequence.IsFeeding)
            {
                var history = sequence.History;
                var end = sequence.FedTo + sequence.BatchCount;
                for (var position = sequence.FedTo; position < end; position++)
                {
                    var last = position == end - 1;
                    var index = _context.AddToBatch(history[position], position, sequence.Id, logits: last && end == sequence.FeedEnd && sequence.ChoosesAfterFeed);
                    sequence.BatchStart = index;
                }

                continue;
            }

            sequence.BatchStart = _context.AddToBatch(sequence.Pending, sequence.Past, sequence.Id, logits: true);
            var drafts = sequence.Drafts;
            for (var i = 0; i < drafts.Length; i++)
            {
                _context.AddToBatch(drafts[i], sequence.Past + 1 + i, sequence.Id, logits: true);
            }
        }
    }

    /// <summary>A prompt chunk went in; when it was the last, the first token is chosen. Returns the tokens emitted.</summary>
    private int Feed(EngineSequence sequence)
    {
        sequence.FedTo += sequence.BatchCount;
        if (sequence.IsFeeding || !sequence.ChoosesAfterFeed)
        {
            return 0;
        }

        var run = sequence.Run!;
        run.PromptEnd = Stopwatch.GetTimestamp();
        run.Memory.Sample();
        sequence.Selector.Offset = sequence.BatchStart;
        run.VerifyChain([], out var pending, out _);
        sequence.Past = sequence.FeedEnd;
        sequence.Pending = pending;
        if (!run.ShouldContinueAfter(pending))
        {
            Finish(sequence);
        }

        return 1;
    }

    /// <summary>Verifies one sequence's share of the step, rolls back its rejected drafts; returns the tokens emitted.</summary>
    private int Advance(EngineSequence sequence, long ticks, double milliseconds)
    {
        var run = sequence.Run!;
        var drafted = sequence.DraftCount;
        run.CountStep(ticks, drafted);
        sequence.Selector.Offset = sequence.BatchStart;
        var accepted = run.VerifyChain(sequence.Drafts, out var pending, out var emitted);
        run.Learn(sequence.Drafts, emitted, drafted + 1, sequence.Past, milliseconds);
        sequence.Past += 1 + accepted;
        sequence.Pending = pending;
        Interlocked.Add(ref _draftedTokens, drafted);
        Interlocked.Add(ref _acceptedTokens, accepted);
        if (drafted > accepted)
        {
            try
            {
                _context.TruncateSequenceFrom(sequence.Id, sequence.Past);
            }
            catch (KvCacheRollbackException exception)
            {
                sequence.Rebuild(exception.Message);
            }
        }

        if (!run.ShouldContinueAfter(pending))
        {
            Finish(sequence);
        }

        return emitted;
    }

    /// <summary>
    /// The shared batch's time teaches the cost model (when it was one micro-batch, whose width the curve prices); the tokens
    /// it yielded per unit of cost, the rate.
    /// </summary>
    private void LearnBatch(int used, int depth, double milliseconds, int emitted, bool solo, bool drafted)
    {
        if (_batchCost is null)
        {
            return;
        }

        var cost = _shape.Cost();
        if (!solo && cost > 0 && milliseconds > 0)
        {
            // Whatever the curve misses about shared steps with drafts (extra passes, a curve measured alone), these
            // decode times show: the drafts' marginal costs are scaled by how much dearer such steps are per predicted unit.
            var unit = milliseconds / cost;
            if (drafted)
            {
                _draftedUnit = double.IsNaN(_draftedUnit) ? unit : _draftedUnit + (RateLearning * (unit - _draftedUnit));
            }
            else
            {
                _plainUnit = double.IsNaN(_plainUnit) ? unit : _plainUnit + (RateLearning * (unit - _plainUnit));
            }

            if (!double.IsNaN(_plainUnit) && !double.IsNaN(_draftedUnit))
            {
                _shape.DraftPenalty = Math.Clamp(_draftedUnit / _plainUnit, 0.5, 8);
            }
        }

        if (!solo && _shape.MicroBatches == 1)
        {
            _batchCost.Observe(used, depth, milliseconds);
        }

        var achieved = emitted / Math.Max(cost, 1e-9);
        _rate = Math.Clamp(_rate + (RateLearning * (achieved - _rate)), 0.25, 256);
    }
}
