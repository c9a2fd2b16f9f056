using LookupDecode.Hosting;
using LookupDecode.Server.Endpoints;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace LookupDecode.Server;

/// <summary>
/// Builds the OpenAI-compatible server: configuration (command line, environment, <c>appsettings.json</c>), the
/// LookupDecode engine (<c>AddLookupDecoding</c>),
/// API-key check, body-size limit, metrics and routes. Listens on <see cref="DefaultUrl"/> (loopback) unless
/// <c>--urls</c> (or <c>ASPNETCORE_URLS</c>) says otherwise.
/// </summary>
public static class ServerApp
{
    /// <summary>Response header naming the replica that answered (<see cref="ServerOptions.ReplicaName"/>).</summary>
    public const string ReplicaHeader = "LookupDecode-Replica";

    /// <summary>Where the server listens when not told: loopback only.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary>
    /// Short command-line names: <c>--model</c>/<c>-m</c> (<c>LookupDecode:ModelPath</c>), <c>--api-key</c>
    /// (<c>Server:ApiKey</c>), <c>--model-id</c>, <c>--mode</c> (<c>LookupDecode:DefaultDrafting</c>), <c>--ctx</c>,
    /// <c>--threads</c>, <c>--parallel</c> (<c>LookupDecode:MaxConcurrentRequests</c>). Every other option binds by its
    /// configuration path, e.g. <c>--LookupDecode:Model:ContextSize 8192</c>.
    /// </summary>
    public static IReadOnlyDictionary<string, string> SwitchMappings { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["--model"] = "LookupDecode:ModelPath",
        ["-m"] = "LookupDecode:ModelPath",
        ["--api-key"] = "Server:ApiKey",
        ["--model-id"] = "Server:ModelId",
        ["--mode"] = "LookupDecode:DefaultDrafting",
        ["--ctx"] = "LookupDecode:Model:ContextSize",
        ["--threads"] = "LookupDecode:Model:Threads",
        ["--parallel"] = "LookupDecode:MaxConcurrentRequests",
    };

    /// <summary>Builds the application from command-line <paramref name="args"/>; <paramref name="configure"/> may add to it (tests, embedding apps).</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
        });

        // The server's own defaults, beneath every other source: a bounded waiting line (429 beyond it).
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?> { ["LookupDecode:MaxQueuedRequests"] = "16" },
        });
        builder.Configuration.AddCommandLine(args, SwitchMappings.ToDictionary(StringComparer.Ordinal));
        var urls = builder.Configuration["urls"];
        builder.WebHost.UseUrls(string.IsNullOrWhiteSpace(urls) ? DefaultUrl : urls);

        builder.Services.AddOptions<ServerOptions>().Bind(builder.Configuration.GetSection(ServerOptions.SectionName)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ServerOptions>, ServerOptionsValidator>();
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<ServerOptions>>((kestrel, server) => kestrel.Limits.MaxRequestBodySize = server.Value.MaxRequestBodyBytes);
        builder.Services.AddLookupDecoding(builder.Configuration);
        builder.Services.AddSingleton<ModelCatalog>();
        builder.Services.AddSingleton<ServerMetrics>();
        builder.Services.AddSingleton<CompletionRunner>();
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("lookupdecode-server"))
            .WithMetrics(metrics => metrics.AddMeter(ServerMetrics.MeterName).AddPrometheusExporter());
        configure?.Invoke(builder);

        var app = builder.Build();
        var replica = app.Services.GetRequiredService<IOptions<ServerOptions>>().Value.ReplicaName ?? $"{Environment.MachineName}:{Environment.ProcessId}";
        app.Use((context, next) =>
        {
            context.Response.Headers[ReplicaHeader] = replica;
            return next(context);
        });
        app.UseMiddleware<ApiKeyMiddleware>();
        // The chat page (index.html, app.js, style.css): open like /health; the API calls it makes carry the key.
        // Routing is placed after them: otherwise the catch-all 404 route is chosen for "/" before it becomes index.html.
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseRouting();
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapOpenAiEndpoints();
        return app;
    }
}

/// <summary>Checks <see cref="ServerOptions"/> at start; every failure names the option.</summary>
internal sealed class ServerOptionsValidator : IValidateOptions<ServerOptions>
{
    public ValidateOptionsResult Validate(string? name, ServerOptions options)
    {
        var failures = new List<string>();
        if (options.MaxRequestBodyBytes is < 1024 or > 1L << 30)
        {
            failures.Add($"Server:{nameof(ServerOptions.MaxRequestBodyBytes)} must be between 1024 and {1L << 30}, was {options.MaxRequestBodyBytes}.");
        }

        if (options.RetryAfterSeconds is < 0 or > 3600)
        {
            failures.Add($"Server:{nameof(ServerOptions.RetryAfterSeconds)} must be between 0 and 3600, was {options.RetryAfterSeconds}.");
        }

        if (options.ApiKey is { } key && key.Trim() != key)
        {
            failures.Add($"Server:{nameof(ServerOptions.ApiKey)} must not begin or end with white space.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
