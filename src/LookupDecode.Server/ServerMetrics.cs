using LookupDecode.Decoding;
using System.Diagnostics.Metrics;
using LookupDecode.Hosting;

namespace LookupDecode.Server;

/// <summary>
/// The server's instruments (meter <see cref="MeterName"/>), exported through OpenTelemetry at <c>/metrics</c> in
/// Prometheus' format: requests by endpoint and status, tokens in and out, drafted and accepted tokens, waiting requests,
/// sessions in use and time to first token.
/// </summary>
public sealed class ServerMetrics : IDisposable
{
    /// <summary>The meter's name, to add to an OpenTelemetry metrics pipeline.</summary>
    public const string MeterName = "LookupDecode.Server";

    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _inputTokens;
    private readonly Counter<long> _outputTokens;
    private readonly Counter<long> _drafted;
    private readonly Counter<long> _accepted;
    private readonly Histogram<double> _timeToFirstToken;

    /// <summary>Created by DI.</summary>
    public ServerMetrics(IMeterFactory meters, ModelHost host)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(host);
        _meter = meters.Create(MeterName);
        _requests = _meter.CreateCounter<long>("lookupdecode.server.requests", "{request}", "Requests answered, by endpoint and HTTP status (499: the client went away).");
        _inputTokens = _meter.CreateCounter<long>("lookupdecode.server.tokens.input", "{token}", "Prompt tokens of served requests.");
        _outputTokens = _meter.CreateCounter<long>("lookupdecode.server.tokens.output", "{token}", "Generated tokens of served requests.");
        _drafted = _meter.CreateCounter<long>("lookupdecode.server.draft.drafted", "{token}", "Draft tokens sent for verification.");
        _accepted = _meter.CreateCounter<long>("lookupdecode.server.draft.accepted", "{token}", "Draft tokens the model accepted.");
        _timeToFirstToken = _meter.CreateHistogram<double>(
            "lookupdecode.server.time_to_first_token", "s", "From the request's arrival to its first generated token (queue and prompt included).",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
        _meter.CreateObservableGauge("lookupdecode.server.queue.length", () => host.IsStarted ? host.Load.Waiting : 0, "{request}", "Requests waiting for a sequence.");
        _meter.CreateObservableGauge("lookupdecode.server.sessions.in_use", () => host.IsStarted ? host.Load.Running : 0, "{session}", "Requests generating now (engine sequences in use).");
        _meter.CreateObservableCounter("lookupdecode.engine.steps", () => Counters(host).Steps, "{step}", "Engine steps (one llama_decode each).");
        _meter.CreateObservableCounter("lookupdecode.engine.batch_tokens", () => Counters(host).BatchTokens, "{token}", "Tokens decoded in engine steps: pending tokens, drafts and prompt chunks.");
        _meter.CreateObservableCounter("lookupdecode.engine.drafted_tokens", () => Counters(host).DraftedTokens, "{token}", "Draft tokens the engine verified.");
        _meter.CreateObservableCounter("lookupdecode.engine.decode_time", () => Counters(host).DecodeTime.TotalSeconds, "s", "Time the engine spent in llama_decode.");
        _meter.CreateObservableCounter("lookupdecode.engine.step_time", () => Counters(host).StepTime.TotalSeconds, "s", "Time the engine spent in steps, llama_decode included (the rest is its managed work).");
        _meter.CreateObservableGauge("lookupdecode.engine.tokens_per_step", () => PerStep(Counters(host).BatchTokens, Counters(host).Steps), "{token}", "Tokens per engine step since start.");
        _meter.CreateObservableGauge("lookupdecode.engine.drafted_per_step", () => PerStep(Counters(host).DraftedTokens, Counters(host).Steps), "{token}", "Draft tokens per engine step since start.");
    }

    /// <summary>Counts one answered request.</summary>
    public void RequestCompleted(string endpoint, int status)
        => _requests.Add(1, new KeyValuePair<string, object?>("endpoint", endpoint), new KeyValuePair<string, object?>("status", status));

    /// <summary>Adds one generation's figures.</summary>
    public void Generated(int promptTokens, int outputTokens, int drafted, int accepted)
    {
        _inputTokens.Add(promptTokens);
        _outputTokens.Add(outputTokens);
        _drafted.Add(drafted);
        _accepted.Add(accepted);
    }

    /// <summary>Records a time to first token.</summary>
    public void FirstToken(TimeSpan elapsed) => _timeToFirstToken.Record(elapsed.TotalSeconds);

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    private static EngineCounters Counters(ModelHost host) => host.IsStarted && host.Engine is { } engine ? engine.Counters : default;

    private static double PerStep(long tokens, long steps) => steps == 0 ? 0 : (double)tokens / steps;
}
