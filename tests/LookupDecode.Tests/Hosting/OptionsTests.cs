using LookupDecode.Decoding;
using LookupDecode.Hosting;
using LookupDecode.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace LookupDecode.Tests.Hosting;

public sealed class OptionsTests
{
    public static TheoryData<string, string> InvalidSettings => new()
    {
        { nameof(LookupDecodeOptions.ModelPath), "/nonexistent/model.gguf" },
        { nameof(LookupDecodeOptions.DraftLength), "0" },
        { nameof(LookupDecodeOptions.DefaultDrafting), "medusa" },
        { nameof(LookupDecodeOptions.ChatTemplate), "nonsense" },
        { "Model:ContextSize", "4" },
        { nameof(LookupDecodeOptions.MaxConcurrentRequests), "0" },
        { nameof(LookupDecodeOptions.DefaultMaxOutputTokens), "-3" },
        { nameof(LookupDecodeOptions.StaticCachePath), "/nonexistent/static.lcs.bin" },
        { "Model:Threads", "0" },
        { nameof(LookupDecodeOptions.MaxDynamicCacheDirectoryBytes), "0" },
    };

    [ModelTheory, MemberData(nameof(InvalidSettings))]
    public async Task Invalid_option_fails_host_start_with_its_name(string option, string value)
    {
        var settings = new Dictionary<string, string?>
        {
            ["LookupDecode:ModelPath"] = TestPaths.Model("stories260K.gguf"),
            [$"LookupDecode:{option}"] = value,
        };
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddLookupDecoding(builder.Configuration);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(option, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_model_path_fails_host_start()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddLookupDecoding(_ => { });
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("ModelPath is required", error.Message, StringComparison.Ordinal);
    }

    [ModelFact]
    public async Task Options_bind_from_the_lookupdecode_configuration_section()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LookupDecode:ModelPath"] = TestPaths.Model("stories260K.gguf"),
            ["LookupDecode:Model:ContextSize"] = "512",
            ["LookupDecode:Model:Threads"] = "2",
            ["LookupDecode:Model:KvCacheType"] = "F16",
            ["LookupDecode:Model:UseMemoryMap"] = "false",
            ["LookupDecode:DefaultDrafting"] = "prompt-lookup",
            ["LookupDecode:DraftLength"] = "4",
            ["LookupDecode:MaxConcurrentRequests"] = "3",
            ["LookupDecode:ChatTemplate"] = "raw",
            ["LookupDecode:DefaultMaxOutputTokens"] = "12",
        });
        builder.Services.AddLookupDecoding(builder.Configuration);
        using var host = builder.Build();
        await host.StartAsync();

        var options = host.Services.GetRequiredService<IOptions<LookupDecodeOptions>>().Value;
        var response = await host.Services.GetRequiredService<IChatClient>().GetResponseAsync("Once upon a time");

        Assert.Equal("prompt-lookup", options.DefaultDrafting);
        Assert.Equal(3, host.Services.GetRequiredService<ModelHost>().Load.Capacity);
        Assert.Equal(512, host.Services.GetRequiredService<ModelHost>().Model.Options.ContextSize);
        Assert.Equal(LookupDecode.Models.KvCacheType.F16, host.Services.GetRequiredService<ModelHost>().Model.Options.KvCacheType);
        Assert.False(host.Services.GetRequiredService<ModelHost>().Model.Options.UseMemoryMap);
        Assert.Equal("prompt-lookup", response.AdditionalProperties?[ChatStatistics.Mode]);
        Assert.Equal(12, response.Usage?.OutputTokenCount);
        await host.StopAsync();
    }

    [ModelFact]
    public async Task A_value_that_does_not_convert_fails_host_start_naming_its_key()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LookupDecode:ModelPath"] = TestPaths.Model("stories260K.gguf"),
            ["LookupDecode:Model:KvCacheType"] = "Q9",
        });
        builder.Services.AddLookupDecoding(builder.Configuration);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains("LookupDecode:Model:KvCacheType", error.Message, StringComparison.Ordinal);
    }
}
