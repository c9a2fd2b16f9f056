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
        Assert.Equal(2.4, model.RelativeCost(4, 0), 9);
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
