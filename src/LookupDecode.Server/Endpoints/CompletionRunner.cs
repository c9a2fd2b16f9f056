using System.Diagnostics;
using LookupDecode.Decoding;
using LookupDecode.Hosting;
using LookupDecode.Server.OpenAi;
using Microsoft.Extensions.Options;

namespace LookupDecode.Server.Endpoints;

/// <summary>
/// Runs one checked request on the hosted model and writes the reply, whole or as server-sent events ending in
/// <c>data: [DONE]</c>. The client's disconnect (<see cref="HttpContext.RequestAborted"/>) cancels the generation
/// within one decoding step, and its session goes back to the pool.
/// </summary>
internal sealed class CompletionRunner
{
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    private readonly HostedGenerator _generator;
    private readonly ServerMetrics _metrics;
    private readonly ModelCatalog _catalog;

    public CompletionRunner(HostedGenerator generator, ServerMetrics metrics, ModelCatalog catalog)
    {
        _generator = generator;
        _metrics = metrics;
        _catalog = catalog;
    }

    public async Task RunAsync(HttpContext http, IReplyFormat format, PreparedGeneration generation, bool stream, bool includeUsage, long startedTimestamp, string promptField, int retryAfterSeconds)
    {
        var context = new ReplyContext(format.IdPrefix + Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow.ToUnixTimeSeconds(), _catalog.Id, generation.Prompt.Length);
        var cancellation = http.RequestAborted;
        if (!stream)
        {
            var whole = await _generator.GenerateAsync(generation, cancellation).ConfigureAwait(false);
            var firstToken = Stopwatch.GetElapsedTime(startedTimestamp) - whole.Statistics.DecodeTime;
            Record(whole, firstToken);
            http.Response.ContentType = "application/json";
            await http.Response.Body.WriteAsync(format.Whole(context, whole, TimingsOf(whole, generation, firstToken)), cancellation).ConfigureAwait(false);
            return;
        }

        var streamed = 0;
        TimeSpan? timeToFirstToken = null;
        try
        {
            await foreach (var update in _generator.StreamAsync(generation, cancellation).ConfigureAwait(false))
            {
                if (!http.Response.HasStarted)
                {
                    // Headers go out with the first update, so a refusal before it (a full queue) is still a plain status.
                    http.Response.ContentType = "text/event-stream";
                    http.Response.Headers.CacheControl = "no-cache";
                    http.Response.Headers["X-Accel-Buffering"] = "no";
                    if (format.Opening(context) is { } opening)
                    {
                        await WriteEventAsync(http.Response, opening, cancellation).ConfigureAwait(false);
                    }
                }

                if (update.Result is { } result)
                {
                    var firstToken = timeToFirstToken ?? Stopwatch.GetElapsedTime(startedTimestamp);
                    Record(result, firstToken);
                    if (result.Text.Length > streamed)
                    {
                        // Text held back while it might have begun a stop sequence, released at the end.
                        await WriteEventAsync(http.Response, format.Text(context, result.Text[streamed..], null), cancellation).ConfigureAwait(false);
                    }

                    await WriteEventAsync(http.Response, format.Finish(context, result, TimingsOf(result, generation, firstToken)), cancellation).ConfigureAwait(false);
                    if (includeUsage)
                    {
                        await WriteEventAsync(http.Response, format.UsageOnly(context, result), cancellation).ConfigureAwait(false);
                    }

                    await http.Response.Body.WriteAsync(Done, cancellation).ConfigureAwait(false);
                    await http.Response.Body.FlushAsync(cancellation).ConfigureAwait(false);
                    return;
                }

                timeToFirstToken ??= Stopwatch.GetElapsedTime(startedTimestamp);
                if (update.Token.Text.Length > 0)
                {
                    streamed += update.Token.Text.Length;
                    var origin = new TokenOrigin(update.Token.WasDrafted, update.Token.DraftedBy);
                    await WriteEventAsync(http.Response, format.Text(context, update.Token.Text, origin), cancellation).ConfigureAwait(false);
                }
            }
        }
        catch (Exception exception) when (http.Response.HasStarted && !cancellation.IsCancellationRequested && exception is not OperationCanceledException)
        {
            // Mid-stream the status is sent: the error goes out as an event (as OpenAI does), with no [DONE] after it.
            var error = ErrorMapping.From(exception, promptField, retryAfterSeconds);
            var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(error.ToResponse(), OpenAiJson.Default.ErrorResponse);
            await WriteEventAsync(http.Response, body, CancellationToken.None).ConfigureAwait(false);
            http.Items[StreamFailedKey] = error.Status;
            throw new StreamFailedException(exception);
        }
    }

    /// <summary>HttpContext item holding the status of an error reported inside a started stream.</summary>
    public const string StreamFailedKey = "LookupDecode.StreamFailed";

    private static async Task WriteEventAsync(HttpResponse response, byte[] json, CancellationToken cancellation)
    {
        await response.Body.WriteAsync(DataPrefix, cancellation).ConfigureAwait(false);
        await response.Body.WriteAsync(json, cancellation).ConfigureAwait(false);
        await response.Body.WriteAsync(EventEnd, cancellation).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellation).ConfigureAwait(false);
    }

    private void Record(GenerationResult result, TimeSpan timeToFirstToken)
    {
        _metrics.Generated(result.Statistics.PromptTokens, result.Tokens.Count, result.Statistics.DraftedTokens, result.Statistics.AcceptedTokens);
        _metrics.FirstToken(timeToFirstToken);
    }

    private static Timings TimingsOf(GenerationResult result, PreparedGeneration generation, TimeSpan timeToFirstToken)
    {
        var statistics = result.Statistics;
        var promptMs = statistics.PromptEvalTime.TotalMilliseconds;
        var predictedMs = statistics.DecodeTime.TotalMilliseconds;
        return new Timings(
            statistics.PromptTokens,
            Math.Round(promptMs, 3),
            statistics.PromptTokens > 0 ? Math.Round(promptMs / statistics.PromptTokens, 3) : 0,
            Math.Round(statistics.PromptTokensPerSecond, 2),
            statistics.GeneratedTokens,
            Math.Round(predictedMs, 3),
            statistics.GeneratedTokens > 0 ? Math.Round(predictedMs / statistics.GeneratedTokens, 3) : 0,
            Math.Round(statistics.TokensPerSecond, 2),
            statistics.DraftedTokens,
            statistics.AcceptedTokens,
            Math.Round(statistics.AcceptPercent, 3),
            Math.Round(statistics.MeanAcceptLength, 4),
            statistics.DecodeCalls,
            Math.Round(timeToFirstToken.TotalMilliseconds, 3),
            generation.Options.Drafting.Name);
    }
}

/// <summary>A stream failed after its status was sent; the error event is already written.</summary>
internal sealed class StreamFailedException(Exception inner) : Exception("The stream failed after it started.", inner);
