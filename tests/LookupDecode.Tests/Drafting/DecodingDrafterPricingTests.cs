using System.Diagnostics;
using LookupDecode.Calibration;
using LookupDecode.Drafting;

namespace LookupDecode.Tests.Drafting;

/// <summary>
/// Adaptive drafting prices a drafter that decodes a model of its own (a draft model): it asks it only when what it
/// is expected to add beats the cheap drafters' best proposal by more than its own decoding costs, and for no more
/// tokens than it has lately wanted. Driven here with fake drafters over a known text, without a model.
/// </summary>
public sealed class DecodingDrafterPricingTests
{
    private const int MaxLength = 16;

    /// <summary>
    /// Flat, with a single step of 10 s: a free drafter stays free even when the machine stalls it for a few milliseconds
    /// (the planner prices asks by wall time).
    /// </summary>
    private static CostModel SlowFlat => Slow([.. Enumerable.Repeat(1.0, MaxLength + 1)]);

    /// <summary>A curve of these relative costs whose single step takes 10 s.</summary>
    private static CostModel Slow(double[] relative) => Timed(relative, 10_000);

    /// <summary>A measured curve of these relative costs whose single step takes <paramref name="milliseconds"/>.</summary>
    private static CostModel Timed(double[] relative, double milliseconds) => new(new DecodeCostCurve("test", "test", 0,
        [.. relative.Select((cost, index) => new DecodeCostPoint(index + 1, 0, milliseconds * cost, cost))]));

    [Fact]
    public void A_draft_model_that_costs_more_than_it_can_save_is_asked_only_to_probe()
    {
        // Every decode of it costs three target steps (the curve's measured single step is 1 ms); its drafts are unreliable.
        var expensive = new FakeDecodingDrafter(spinMilliseconds: 3, correctTokens: 1, confidence: 0.4);
        var run = new PlannerRun(Timed([.. Enumerable.Repeat(1.0, MaxLength + 1)], 1), expensive);

        run.Steps(200);

        // The first ask, then probes after 2, 4, … 64 steps: about eight asks in 200 steps, not 200.
        Assert.InRange(expensive.Asks, 1, 12);
    }

    [Fact]
    public void Catching_up_on_unseen_history_is_not_charged_to_the_ask_that_pays_it()
    {
        // The same 3 ms per ask as above, but all of it catching up (a prompt, skipped steps): owed anyway, so not priced.
        var catchingUp = new FakeDecodingDrafter(spinMilliseconds: 3, correctTokens: 1, confidence: 0.4, spinIsCatchUp: true);
        var run = new PlannerRun(CostModel.Flat(MaxLength + 1), catchingUp);

        run.Steps(40);

        Assert.InRange(catchingUp.Asks, 36, 40);
    }

    [Fact]
    public void A_cheap_draft_model_with_good_drafts_is_asked_every_step_when_nothing_else_proposes()
    {
        var useful = new FakeDecodingDrafter(spinMilliseconds: 0, correctTokens: MaxLength, confidence: 0.95);
        var run = new PlannerRun(SlowFlat, useful);

        run.Steps(100);

        Assert.Equal(100, useful.Asks);
        Assert.True(run.DraftedTokens > 100 * 4, $"drafted {run.DraftedTokens}");
    }

    [Fact]
    public void A_long_cheap_match_wins_and_the_draft_model_is_not_asked_while_it_lasts()
    {
        var draftModel = new FakeDecodingDrafter(spinMilliseconds: 0, correctTokens: 2, confidence: 0.6);
        var lookup = new FakeCheapDrafter(correctTokens: MaxLength, confidence: 0.99);
        var run = new PlannerRun(SlowFlat, lookup, draftModel);

        run.Steps(50);
        var asksWhileMatching = draftModel.Asks;
        lookup.Silent = true;
        run.Steps(50);

        Assert.InRange(asksWhileMatching, 0, 2);
        Assert.InRange(draftModel.Asks - asksWhileMatching, 45, 50);
    }

    [Fact]
    public void A_draft_model_whose_long_drafts_are_never_worth_verifying_is_asked_for_short_ones()
    {
        // On this CPU's steep curve only its first (sure) token pays; the rest is wrong.
        var steep = Slow([1.0, 1.85, 2.45, 3.0, 3.6, 4.1, 4.8, 5.5, 6.1, 6.7, 7.3, 7.9, 8.5, 9.1, 9.7, 10.3, 10.9]);
        var draftModel = new FakeDecodingDrafter(spinMilliseconds: 0, correctTokens: 1, confidence: 0.99);
        var run = new PlannerRun(steep, draftModel);

        run.Steps(60);

        Assert.Equal(MaxLength, draftModel.FirstRequestedLength);
        Assert.InRange(draftModel.LastRequestedLength, 2, 4);
    }

    [Fact]
    public void Near_the_token_limit_a_draft_model_is_asked_for_no_more_than_the_room()
    {
        var draftModel = new FakeDecodingDrafter(spinMilliseconds: 0, correctTokens: MaxLength, confidence: 0.95);
        var run = new PlannerRun(SlowFlat, draftModel);

        run.Steps(5, room: 1);
        run.Steps(5, room: 0);

        Assert.Equal(1, draftModel.LastRequestedLength);
        Assert.Equal(5, draftModel.Asks);
    }

    [Fact]
    public void On_a_steep_curve_the_draft_model_is_told_to_stop_where_its_tokens_cannot_pay_and_on_a_flat_one_never()
    {
        var steep = new FakeDecodingDrafter(spinMilliseconds: 0, correctTokens: MaxLength, confidence: 0.95);
        var flat = new FakeDecodingDrafter(spinMilliseconds: 0, correctTokens: MaxLength, confidence: 0.95);

        var steepRun = new PlannerRun(Slow([.. Enumerable.Range(0, MaxLength + 1).Select(k => 1 + (0.7 * k))]), steep);
        steepRun.Steps(1);
        var firstAcceptance = steep.Acceptance;
        steepRun.Steps(3);
        new PlannerRun(SlowFlat, flat).Steps(3);

        // Steep: every further verified token costs 0.7 steps, so a token reached with less than a 0.7 chance (times the
        // rate the planner earns, ≥ 1) can never pay, nor anything after it. Flat: every token may pay.
        Assert.NotNull(steep.Bars);
        Assert.All(steep.Bars!.Take(steep.LastRequestedLength), bar => Assert.InRange(bar, 0.7 - 1e-9, 0.7 * 8));
        Assert.NotNull(firstAcceptance);
        Assert.Same(firstAcceptance, steep.Acceptance);
        Assert.InRange(steep.Acceptance!(0), 0.9, 1);
        Assert.All(flat.Bars!, bar => Assert.Equal(0, bar));
    }

    [Fact]
    public void A_curve_of_relative_costs_knows_no_milliseconds_until_single_decodes_are_timed()
    {
        var relative = CostModel.Flat(MaxLength + 1);
        var measured = Slow([.. Enumerable.Repeat(1.0, MaxLength + 1)]);

        Assert.True(double.IsNaN(relative.SingleTokenMilliseconds(0)));
        Assert.Equal(10_000, measured.SingleTokenMilliseconds(0), 1e-6);
        for (var i = 0; i < CostModel.MinimumObservations; i++)
        {
            relative.Observe(1, 0, 17);
        }

        // Learned from the observed decodes, on its way from the nominal 1 ms to the observed 17.
        Assert.InRange(relative.SingleTokenMilliseconds(0), 2, 17);
    }

    /// <summary>Drives an adaptive planner over a text where token i is i % 97 + 1; every step's emitted tokens are the text's.</summary>
    private sealed class PlannerRun
    {
        private readonly AdaptiveDraftPlanner _planner;
        private readonly List<int> _history = [1, 2, 3, 4];
        private readonly int[] _draft = new int[MaxLength];

        public PlannerRun(CostModel cost, params IScoredDraftSource[] sources)
        {
            _planner = new AdaptiveDraftPlanner(sources, sources.Select(source => new AcceptanceModel(source)).ToArray(), cost, MaxLength);
            _planner.Begin(_history.ToArray());
        }

        public int DraftedTokens { get; private set; }

        public void Steps(int count, int room = MaxLength)
        {
            for (var step = 0; step < count; step++)
            {
                var history = _history.ToArray();
                var drafted = _planner.Plan(history, _draft.AsSpan(0, room), history.Length);
                DraftedTokens += drafted;
                var emitted = new List<int>();
                var accepted = 0;
                while (accepted < drafted && _draft[accepted] == Truth(history.Length + accepted))
                {
                    emitted.Add(_draft[accepted++]);
                }

                emitted.Add(Truth(history.Length + accepted));
                _planner.Verified(_draft.AsSpan(0, drafted), emitted.ToArray(), drafted + 1, history.Length, double.NaN);
                foreach (var token in emitted)
                {
                    _history.Add(token);
                    _planner.Observe(_history.ToArray());
                }
            }
        }

        public static int Truth(int position) => (position % 97) + 1;
    }

    /// <summary>Proposes as many tokens as asked for: the first <c>correctTokens</c> are the text's, the rest wrong; all in one evidence class whose prior is <c>confidence</c>.</summary>
    private class FakeCheapDrafter(int correctTokens, double confidence) : IScoredDraftSource
    {
        public bool Silent { get; set; }

        public int Asks { get; private set; }

        public int FirstRequestedLength { get; private set; } = -1;

        public int LastRequestedLength { get; private set; }

        public string Name => GetType().Name;

        public int EvidenceClassCount => 1;

        public double PriorAcceptance(int evidenceClass) => confidence;

        public void Begin(ReadOnlySpan<int> prompt)
        {
        }

        public void Observe(ReadOnlySpan<int> history)
        {
        }

        public void End(ReadOnlySpan<int> history)
        {
        }

        public int Propose(ReadOnlySpan<int> history, Span<int> draft) => Propose(history, draft, new int[draft.Length]);

        public virtual int Propose(ReadOnlySpan<int> history, Span<int> draft, Span<int> evidence)
        {
            if (Silent)
            {
                return 0;
            }

            Asks++;
            if (FirstRequestedLength < 0)
            {
                FirstRequestedLength = draft.Length;
            }

            LastRequestedLength = draft.Length;
            for (var i = 0; i < draft.Length; i++)
            {
                var truth = PlannerRun.Truth(history.Length + i);
                draft[i] = i < correctTokens ? truth : truth + 1000;
                evidence[i] = 0;
            }

            return draft.Length;
        }
    }

    private sealed class FakeDecodingDrafter(double spinMilliseconds, int correctTokens, double confidence, bool spinIsCatchUp = false)
        : FakeCheapDrafter(correctTokens, confidence), IDecodingDraftSource
    {
        public TimeSpan DecodeTime { get; private set; }

        public TimeSpan CatchUpTime => spinIsCatchUp ? DecodeTime : TimeSpan.Zero;

        public Func<int, double>? Acceptance { get; private set; }

        public double[]? Bars { get; private set; }

        public void StopWhenUnlikely(Func<int, double>? acceptance, double[]? minimumSurvival) => (Acceptance, Bars) = (acceptance, minimumSurvival?.ToArray());

        public override int Propose(ReadOnlySpan<int> history, Span<int> draft, Span<int> evidence)
        {
            var start = Stopwatch.GetTimestamp();
            while (Stopwatch.GetElapsedTime(start).TotalMilliseconds < spinMilliseconds)
            {
            }

            DecodeTime += Stopwatch.GetElapsedTime(start);
            return base.Propose(history, draft, evidence);
        }
    }
}
