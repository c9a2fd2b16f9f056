using System.Diagnostics;
using LookupDecode.Hosting;
using LookupDecode.Server.OpenAi;
using Microsoft.Extensions.Options;

namespace LookupDecode.Server.Endpoints;

/// <summary>
/// The OpenAI-compatible routes: <c>POST /v1/chat/completions</c>, <c>POST /v1/completions</c>, <c>GET /v1/models</c>,
/// plus <c>GET /health</c> and an OpenAI-shaped 404 for anything else.
/// </summary>
internal static partial class OpenAiEndpoints
{
    public static void MapOpenAiEndpoints(this WebApplication app)
    {
        app.MapPost("/v1/chat/completions", (HttpContext http) => HandleAsync(http, ChatReplyFormat.Instance, "messages", PrepareChatAsync));
        app.MapPost("/v1/completions", (HttpContext http) => HandleAsync(http, TextReplyFormat.Instance, "prompt", PrepareTextAsync));
        app.MapGet("/v1/models", (ModelCatalog catalog) => Results.Json(
            new ModelList("list", [new ModelEntry(catalog.Id, "model", catalog.Created, "lookupdecode")]), OpenAiJson.Default.ModelList));
        app.MapGet("/health", (ModelHost host, ModelCatalog catalog) => host.IsStarted
            ? Results.Json(new HealthResponse("ok", catalog.Id, host.Load.Running, host.Load.Capacity, host.Load.Waiting), OpenAiJson.Default.HealthResponse)
            : Results.Json(new HealthResponse("loading", null, 0, 0, 0), OpenAiJson.Default.HealthResponse, statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapFallback((HttpContext http) => KnownRoutes.TryGetValue(http.Request.Path.Value?.TrimEnd('/') ?? "", out var allowed)
            ? MethodNotAllowed(http, allowed)
            : ApiError.NotFound($"No route {http.Request.Method} {http.Request.Path}: this server serves /v1/chat/completions, /v1/completions, /v1/models, /health, /metrics and its chat page at /.", code: "unknown_url")
            .WriteAsync(http.Response));
    }

    /// <summary>Routes and their one method: another method on them is a 405, not a 404.</summary>
    private static readonly Dictionary<string, string> KnownRoutes = new(StringComparer.Ordinal)
    {
        ["/v1/chat/completions"] = "POST",
        ["/v1/completions"] = "POST",
        ["/v1/models"] = "GET",
        ["/health"] = "GET",
        ["/metrics"] = "GET",
    };

    private static Task MethodNotAllowed(HttpContext http, string allowed)
    {
        http.Response.Headers.Allow = allowed;
        return ApiError.MethodNotAllowed($"{http.Request.Path} takes {allowed}, not {http.Request.Method}.").WriteAsync(http.Response);
    }

    /// <summary>A request read and checked, ready to run.</summary>
    private sealed record Checked(PreparedGeneration Generation, bool Stream, bool IncludeUsage);

    private static async Task<Checked> PrepareChatAsync(HttpContext http, HostedGenerator generator, long maxBodyBytes)
    {
        var body = await RequestReader.ReadAsync(http.Request, OpenAiJson.Default.ChatCompletionRequest, maxBodyBytes).ConfigureAwait(false);
        CheckModel(http, body.Model);
        var messages = RequestMapping.Messages(body);
        var request = RequestMapping.ToHostedRequest(body, body.MaxCompletionTokens ?? body.MaxTokens);
        var prompt = generator.ChatPrompt(messages);
        CheckRoom(generator, prompt, request.MaxTokens, body.MaxCompletionTokens is null ? "max_tokens" : "max_completion_tokens");
        var generation = generator.Prepare(prompt, request);
        return new Checked(generation, body.Stream == true, body.StreamOptions?.IncludeUsage == true);
    }

    private static async Task<Checked> PrepareTextAsync(HttpContext http, HostedGenerator generator, long maxBodyBytes)
    {
        var body = await RequestReader.ReadAsync(http.Request, OpenAiJson.Default.TextCompletionRequest, maxBodyBytes).ConfigureAwait(false);
        CheckModel(http, body.Model);
        RequestMapping.CheckTextRequest(body);
        var request = RequestMapping.ToHostedRequest(body, body.MaxTokens);
        var prompt = body.Prompt!.Tokens ?? generator.TextPrompt(body.Prompt.Text ?? "");
        CheckRoom(generator, prompt, request.MaxTokens, "max_tokens");
        var generation = generator.Prepare(prompt, request);
        return new Checked(generation, body.Stream == true, body.StreamOptions?.IncludeUsage == true);
    }

    /// <summary>An explicit token limit the context cannot hold is refused, as OpenAI refuses it (the default shrinks to fit).</summary>
    private static void CheckRoom(HostedGenerator generator, int[] prompt, int? maxTokens, string field)
    {
        var room = generator.RoomAfter(prompt);
        if (maxTokens > room && room > 0)
        {
            throw ApiError.BadRequest($"'{field}' is {maxTokens}, but the prompt ({prompt.Length} tokens) leaves room for {room} new tokens in the context of {generator.ContextSize}.", field, "context_length_exceeded");
        }
    }

    private static void CheckModel(HttpContext http, string? model)
    {
        var catalog = http.RequestServices.GetRequiredService<ModelCatalog>();
        if (string.IsNullOrEmpty(model))
        {
            throw ApiError.BadRequest($"'model' is required (this server serves '{catalog.Id}').", "model");
        }

        if (!catalog.Serves(model))
        {
            throw ApiError.NotFound($"The model '{model}' does not exist here; this server serves '{catalog.Id}'.", "model", "model_not_found");
        }
    }

    private static async Task HandleAsync(HttpContext http, IReplyFormat format, string promptField, Func<HttpContext, HostedGenerator, long, Task<Checked>> prepare)
    {
        var started = Stopwatch.GetTimestamp();
        var services = http.RequestServices;
        var options = services.GetRequiredService<IOptions<ServerOptions>>().Value;
        var metrics = services.GetRequiredService<ServerMetrics>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("LookupDecode.Server");
        var status = StatusCodes.Status200OK;
        try
        {
            if (!services.GetRequiredService<ModelHost>().IsStarted)
            {
                throw ApiError.Unavailable("The model is still loading.", options.RetryAfterSeconds);
            }

            var generator = services.GetRequiredService<HostedGenerator>();
            var request = await prepare(http, generator, options.MaxRequestBodyBytes).ConfigureAwait(false);
            await services.GetRequiredService<CompletionRunner>()
                .RunAsync(http, format, request.Generation, request.Stream, request.IncludeUsage, started, promptField, options.RetryAfterSeconds).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            status = StatusCodes.Status499ClientClosedRequest;
        }
        catch (StreamFailedException failed)
        {
            status = http.Items[CompletionRunner.StreamFailedKey] is int reported ? reported : StatusCodes.Status500InternalServerError;
            LogFailed(logger, failed.InnerException!, format.Endpoint);
        }
        catch (Exception exception) when (!http.Response.HasStarted)
        {
            var error = ErrorMapping.From(exception, promptField, options.RetryAfterSeconds);
            status = error.Status;
            if (status >= StatusCodes.Status500InternalServerError && exception is not ApiError)
            {
                LogFailed(logger, exception, format.Endpoint);
            }

            await error.WriteAsync(http.Response).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // After the headers went out nothing can be written: count it, log it, and let the connection end.
            status = http.RequestAborted.IsCancellationRequested ? StatusCodes.Status499ClientClosedRequest : StatusCodes.Status500InternalServerError;
            if (status == StatusCodes.Status500InternalServerError)
            {
                LogFailed(logger, exception, format.Endpoint);
            }
        }
        finally
        {
            metrics.RequestCompleted(format.Endpoint, status);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Request to {Endpoint} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string endpoint);
}
