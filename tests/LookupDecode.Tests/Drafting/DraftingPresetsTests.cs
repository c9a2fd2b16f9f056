using LookupDecode.Drafting;
using LookupDecode.Models;

namespace LookupDecode.Tests.Drafting;

/// <summary>The presets table: names, suffixed forms and what each sets.</summary>
public sealed class DraftingPresetsTests
{
    [Theory]
    [InlineData("greedy", 0, false, 10)]
    [InlineData("auto", 3, true, 16)]
    [InlineData("lookup", 1, true, 16)]
    [InlineData("pld", 1, false, 10)]
    [InlineData("llama-lookup", 1, false, 3)]
    [InlineData("lookup-d7", 1, false, 7)]
    [InlineData("pld-auto", 1, true, 16)]
    [InlineData("lookup-d5-auto", 1, true, 16)]
    [InlineData("auto-d4", 3, true, 4)]
    public void Each_name_sets_its_drafters_and_length_policy(string name, int drafters, bool adaptive, int maxLength)
    {
        var plan = DraftingPresets.Get(name);

        Assert.Equal(drafters, plan.Drafters.Count);
        Assert.Equal(name, plan.Name);
        if (drafters > 0)
        {
            Assert.Equal((adaptive, maxLength), (plan.Adaptive, plan.MaxLength));
        }
    }

    [Theory]
    [InlineData("medusa")]
    [InlineData("greedy-d3")]
    [InlineData("lookup-d0")]
    [InlineData("lookup-d999")]
    [InlineData("lookup-x")]
    public void Unknown_or_out_of_range_names_are_invalid_options(string name)
    {
        Assert.Throws<InvalidOptionException>(() => DraftingPresets.Get(name));
        Assert.False(DraftingPresets.IsKnown(name));
    }
}
