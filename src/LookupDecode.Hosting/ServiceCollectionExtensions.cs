using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LookupDecode.Hosting;

/// <summary>Registers LookupDecode in a host: options (validated at start), the model host, the session pool and an <see cref="IChatClient"/>.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Adds LookupDecode configured in code. Returns the <see cref="ChatClientBuilder"/> of the registered
    /// <see cref="IChatClient"/>, so pipelines compose (<c>.UseLogging()</c>, <c>.UseOpenTelemetry()</c>, …).
    /// </summary>
    public static ChatClientBuilder AddLookupDecoding(this IServiceCollection services, Action<LookupDecodeOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<LookupDecodeOptions>().Configure(configure).ValidateOnStart();
        return AddCore(services);
    }

    /// <summary>
    /// Adds LookupDecode bound from <paramref name="configuration"/>: its <c>"LookupDecode"</c> section when it has one,
    /// else the given section itself. Returns the chat client builder.
    /// </summary>
    public static ChatClientBuilder AddLookupDecoding(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(LookupDecodeOptions.SectionName);
        services.AddOptions<LookupDecodeOptions>().Bind(section.Exists() ? section : configuration).ValidateOnStart();
        return AddCore(services);
    }

    private static ChatClientBuilder AddCore(IServiceCollection services)
    {
        services.AddSingleton<IValidateOptions<LookupDecodeOptions>, LookupDecodeOptionsValidator>();
        services.AddSingleton<ModelHost>();
        services.AddHostedService(provider => provider.GetRequiredService<ModelHost>());
        services.AddSingleton<Memory.IDraftMemoryStore>(provider => provider.GetRequiredService<IOptions<LookupDecodeOptions>>().Value.SharedMemoryRedis is null
            ? ActivatorUtilities.CreateInstance<Memory.InProcessDraftMemoryStore>(provider)
            : ActivatorUtilities.CreateInstance<Memory.RedisDraftMemoryStore>(provider));
        services.AddSingleton<HostedGenerator>();
        services.AddSingleton<LookupChatClient>();
        return services.AddChatClient(provider => provider.GetRequiredService<LookupChatClient>());
    }
}
