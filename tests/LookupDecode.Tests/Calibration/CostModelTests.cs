using LookupDecode.Calibration;

namespace LookupDecode.Tests.Calibration;

public sealed class CostModelTests
{
    private static readonly DecodeCostCurve Curve = new("m", "b", 2,
    [
        new(1, 0, 10, 1), new(2, 0, 16, 1.6), new(4, 0, 24, 2.4),
        new(1, 512, 20, 1), new(2, 512, 36, 1.8), new(4, 512, 60, 3.0),
    ]);

    [Fact]
    public void Relative_cost_interpolates_between_batch_sizes_and_depths()
    {
        var model = new CostModel(Curve);

        Assert.Equal(1, model.RelativeCost(1, 0));
        Assert.Equal(1.6, model.RelativeCost(2, 0), 9);
        Assert.Equal(2.0, model.RelativeCost(3, 0), 9);
        Assert.Equal(1.8, model.RelativeCost(2, 512), 9);
        Assert.Equal((16 + 36) / 2.0 / ((10 + 20) / 2.0), model.RelativeCost(2, 256), 9);
        Assert.Equal(2.4 * 8 / 4, model.RelativeCost(8, 0), 9);
    }

    [Fact]
    public void Observed_decode_times_refine_the_curve()
    {
        var model = new CostModel(Curve);

        for (var i = 0; i < 200; i++)
        {
            model.Observe(2, 0, 20);
            model.Observe(1, 0, 10);
        }

        Assert.Equal(2.0, model.RelativeCost(2, 0), 2);
        // Width 4 was never seen: it takes the correction width 2 settled on (25% dearer than the curve).
        Assert.Equal(2.4 * 1.25, model.RelativeCost(4, 0), 2);
    }

    [Fact]
    public void A_slowdown_hitting_every_batch_size_alike_leaves_relative_costs_unchanged()
    {
        var model = new CostModel(Curve);

        for (var i = 0; i < 200; i++)
        {
            model.Observe(1, 0, 30);
            model.Observe(2, 0, 48);
        }

        Assert.Equal(1.6, model.RelativeCost(2, 0), 3);
    }

    [Fact]
    public void A_batch_sizes_correction_settles_within_a_few_observations()
    {
        var model = new CostModel(Curve);

        for (var i = 0; i < CostModel.MinimumObservations - 1; i++)
        {
            model.Observe(1, 0, 10);
            model.Observe(2, 0, 24);
        }

        Assert.Equal(1.6, model.RelativeCost(2, 0), 9);
        model.Observe(1, 0, 10);
        model.Observe(2, 0, 24);
        Assert.Equal(2.4, model.RelativeCost(2, 0), 9);
    }

    [Fact]
    public void Each_depth_range_learns_its_own_correction()
    {
        var model = new CostModel(Curve);

        for (var i = 0; i < 20; i++)
        {
            model.Observe(1, 0, 10);
            model.Observe(2, 0, 12);
            model.Observe(1, 2000, 40);
            model.Observe(2, 2000, 40 * 3.2);
        }

        Assert.Equal(1.2, model.RelativeCost(2, 0), 2);
        Assert.Equal(3.2, model.RelativeCost(2, 2000), 1);
        Assert.Equal(CostModel.DepthRangeOf(2000), CostModel.DepthRangeOf(1500));
        Assert.InRange(model.RelativeCost(2, 1500), 3.0, 3.4);
        Assert.NotEqual(CostModel.DepthRangeOf(300), CostModel.DepthRangeOf(2000));
    }

    [Fact]
    public void A_spike_is_set_aside_and_a_lasting_change_is_followed()
    {
        var model = new CostModel(Curve);
        for (var i = 0; i < 10; i++)
        {
            model.Observe(1, 0, 10);
            model.Observe(2, 0, 16);
        }

        // Another process takes the cores for one step of batch 2 (17x, as seen on this machine).
        model.Observe(2, 0, 16 * 17);
        model.Observe(1, 0, 10);
        Assert.Equal(1.6, model.RelativeCost(2, 0), 9);

        // The model's batch-2 step really became three times dearer (three in a row): the estimate moves to it.
        for (var i = 0; i < 3; i++)
        {
            model.Observe(2, 0, 48);
        }

        Assert.Equal(4.8, model.RelativeCost(2, 0), 9);
    }

    [Fact]
    public void A_deliberately_wrong_flat_curve_learns_the_machines_real_costs_within_a_few_steps()
    {
        // A flat curve prices every step at a nominal 1 ms; the 1B model's real steps take 20 ms, batches of 2 36 ms.
        var model = CostModel.Flat(16);
        for (var i = 0; i < CostModel.MinimumObservations; i++)
        {
            model.Observe(1, 0, 20);
            model.Observe(2, 0, 36);
        }

        Assert.Equal(1.8, model.RelativeCost(2, 0), 2);
        Assert.Equal(1.8, model.RelativeCost(3, 0), 2);
        Assert.Equal(1.8, model.RelativeCost(16, 2000), 2);
        Assert.Equal(20, model.SingleTokenMilliseconds(0), 6);
    }

    [Fact]
    public void An_unseen_width_is_interpolated_between_the_settled_widths_around_it()
    {
        var model = CostModel.FromRelativeCosts([1, 2, 3, 4, 5]);
        for (var i = 0; i < CostModel.MinimumObservations; i++)
        {
            model.Observe(1, 0, 1);
            model.Observe(2, 0, 2 * 1.2);
            model.Observe(5, 0, 5 * 2.0);
        }

        Assert.Equal(2 * 1.2, model.RelativeCost(2, 0), 6);
        Assert.Equal(3 * (1.2 + (0.8 / 3)), model.RelativeCost(3, 0), 6);
        Assert.Equal(5 * 2.0, model.RelativeCost(5, 0), 6);
    }

    [Fact]
    public void A_non_monotone_curve_keeps_its_cheap_widths()
    {
        // The Mistral-7B shape at depth 0 on this CPU: multiples of 4 are cheap.
        var model = CostModel.FromRelativeCosts([1, 1.68, 2.66, 1.42, 2.42]);

        Assert.True(model.RelativeCost(4, 0) < model.RelativeCost(3, 0));
        Assert.True(model.RelativeCost(4, 0) < model.RelativeCost(2, 0));
        Assert.Equal(3, LookupDecode.Drafting.DraftLengthPolicy.Choose([0.8, 0.8, 0.8], size => model.RelativeCost(size, 0), 1, out _));
    }

    [Fact]
    public void Single_token_times_follow_the_machine_per_depth_range()
    {
        var model = new CostModel(Curve);
        for (var i = 0; i < 5; i++)
        {
            model.Observe(1, 0, 20);
        }

        Assert.Equal(20, model.SingleTokenMilliseconds(0), 9);
        Assert.Equal(40, model.SingleTokenMilliseconds(512), 9);
        for (var i = 0; i < 5; i++)
        {
            model.Observe(1, 512, 30);
        }

        Assert.Equal(30, model.SingleTokenMilliseconds(512), 9);
        Assert.Equal(20, model.SingleTokenMilliseconds(0), 9);
    }

    [Fact]
    public void Stored_curves_round_trip_and_a_broken_file_is_ignored()
    {
        using var temp = new Support.TempDirectory();
        var path = temp.File("curve.json");

        CostModelStore.Save(path, Curve);

        Assert.Equal(Curve.Points, CostModelStore.TryLoad(path)!.Points);
        File.WriteAllText(path, "{ not json");
        Assert.Null(CostModelStore.TryLoad(path));
        Assert.Null(CostModelStore.TryLoad(temp.File("absent.json")));
    }
}
