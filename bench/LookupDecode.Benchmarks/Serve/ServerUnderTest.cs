using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace LookupDecode.Benchmarks.Serve;

/// <summary>
/// One server process the serving benchmark drives: LookupDecode.Server (engine or per-request contexts, a drafting
/// preset) or upstream <c>llama-server</c> (greedy or a <c>--spec-type</c>), on a free loopback port, with N slots.
/// Started, waited for until <c>/health</c> answers, killed on dispose.
/// </summary>
internal sealed class ServerUnderTest : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stderr;
    private readonly Task<string> _stdout;

    private ServerUnderTest(Process process, Uri address)
    {
        _process = process;
        Address = address;
        _stderr = process.StandardError.ReadToEndAsync();
        _stdout = process.StandardOutput.ReadToEndAsync();
    }

    public Uri Address { get; }

    /// <summary>Starts <paramref name="system"/> with <paramref name="slots"/> concurrent requests.</summary>
    public static async Task<ServerUnderTest> StartAsync(ServeSystem system, ServeSettings settings, int slots, TimeSpan timeout)
    {
        var port = FreePort();
        var start = system.Upstream ? Upstream(system, settings, slots, port) : Ours(system, settings, slots, port);
        start.RedirectStandardError = true;
        start.RedirectStandardOutput = true;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {start.FileName}");
        var server = new ServerUnderTest(process, new Uri($"http://127.0.0.1:{port}/"));
        await server.WaitHealthyAsync(timeout).ConfigureAwait(false);
        return server;
    }

    private static ProcessStartInfo Ours(ServeSystem system, ServeSettings settings, int slots, int port)
    {
        var start = new ProcessStartInfo("dotnet");
        foreach (var argument in new[]
                 {
                     settings.OurServer, "--model", settings.Model, "--parallel", Text(slots), "--threads", Text(settings.Threads),
                     "--ctx", Text(settings.ContextSize), "--mode", system.Mode, "--urls", $"http://127.0.0.1:{port}",
                     "--LookupDecode:PerRequestContexts", system.PerRequestContexts ? "true" : "false",
                     "--LookupDecode:MaxQueuedRequests", "1000",
                     "--LookupDecode:KvLayout", system.Unified ? "Unified" : "PerSequence",
                     "--Logging:LogLevel:Default", "Warning",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    private static ProcessStartInfo Upstream(ServeSystem system, ServeSettings settings, int slots, int port)
    {
        var start = new ProcessStartInfo(Path.Combine(settings.UpstreamBin, "llama-server"));
        // The same KV cache as ours (Q8_0 with flash attention); -c is split among the slots, so each gets ours.
        foreach (var argument in new[]
                 {
                     "-m", settings.Model, "-np", Text(slots), "-t", Text(settings.Threads), "-c", Text(settings.ContextSize * slots),
                     "--port", Text(port), "--host", "127.0.0.1", "-ctk", "q8_0", "-ctv", "q8_0", "-fa", "on", "--temp", "0",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        if (system.SpecType is { } specType)
        {
            start.ArgumentList.Add("--spec-type");
            start.ArgumentList.Add(specType);
        }

        return start;
    }

    private async Task WaitHealthyAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the server exited with {_process.ExitCode}: {Tail(await _stderr.ConfigureAwait(false) + await _stdout.ConfigureAwait(false))}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri("health", UriKind.Relative)).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(250).ConfigureAwait(false);
        }

        throw new TimeoutException($"the server at {Address} was not healthy within {timeout.TotalSeconds:F0} s");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Tail(string text) => text.Length <= 600 ? text : text[^600..];

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        finally
        {
            _process.Dispose();
        }
    }
}

/// <summary>A server configuration the benchmark compares.</summary>
/// <param name="Name">Its row label.</param>
/// <param name="Upstream">llama-server rather than LookupDecode.Server.</param>
/// <param name="Mode">Our drafting preset (ours only).</param>
/// <param name="PerRequestContexts">Ours with the old pool of per-request contexts.</param>
/// <param name="SpecType">llama-server's <c>--spec-type</c>, or null for plain decoding.</param>
/// <param name="Unified">Ours with one KV cache shared by the sequences (<c>KvLayout.Unified</c>).</param>
internal sealed record ServeSystem(string Name, bool Upstream, string Mode, bool PerRequestContexts, string? SpecType, bool Unified = false)
{
    public static readonly ServeSystem[] Known =
    [
        new("ours-greedy", false, "greedy", false, null),
        new("ours-auto", false, "auto", false, null),
        new("ours-greedy-unified", false, "greedy", false, null, Unified: true),
        new("ours-auto-unified", false, "auto", false, null, Unified: true),
        new("pool-greedy", false, "greedy", true, null),
        new("pool-auto", false, "auto", true, null),
        new("llama-server", true, "greedy", false, null),
        new("llama-server-ngram-simple", true, "greedy", false, "ngram-simple"),
        new("llama-server-ngram-mod", true, "greedy", false, "ngram-mod"),
    ];
}
