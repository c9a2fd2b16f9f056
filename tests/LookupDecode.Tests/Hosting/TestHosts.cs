using LookupDecode.Hosting;
using LookupDecode.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LookupDecode.Tests.Hosting;

/// <summary>Real generic hosts (Host.CreateApplicationBuilder) running LookupDecode on a shared test model.</summary>
internal static class TestHosts
{
    public static async Task<IHost> StartAsync(Action<LookupDecodeOptions>? configure = null, string model = TestModelNames.Stories260K)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddLookupDecoding(options =>
        {
            options.ModelPath = TestPaths.Model(TestModelNames.FileOf(model));
            options.Model = new LookupDecode.Models.ModelOptions { ContextSize = 1024, Threads = 2 };
            options.ChatTemplate = "raw";
            options.DefaultMaxOutputTokens = 48;
            options.DefaultDrafting = "lookup-d10";
            configure?.Invoke(options);
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
