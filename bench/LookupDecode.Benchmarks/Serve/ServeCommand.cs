using System.CommandLine;
using System.Text.Json;

namespace LookupDecode.Benchmarks.Serve;

/// <summary>
/// <c>serve --model M [--concurrency 1,2,4,8,16] [--requests 16] [--max-tokens 64] [--systems …] [--upstream-bin DIR] [--out DIR]</c>:
/// the serving benchmark. For each server configuration and each concurrency N, a fresh server with N slots serves
/// max(requests, N) streamed greedy completions of the story prompts to N concurrent clients over loopback HTTP;
/// reported: aggregate completion tokens/s, time to first token and inter-token latency p50/p99, failures, and whether
/// every reply equals the same server's reply to that prompt at concurrency 1 (ours: also LookupDecode greedy's).
/// </summary>
internal static class ServeCommand
{
    /// <summary>Short story openings, as the soak uses: what the TinyStories-trained test model writes well.</summary>
    public static readonly string[] Prompts =
    [
        "Once upon a time", "Tom had a small dog named Max.", "Lily liked to play in the park.", "The sun was hot and",
        "One day, a bird", "Sue and Ben went to the sea.", "There was a big red ball", "The cat said,",
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var model = new Option<string>("--model") { Required = true };
        var concurrency = new Option<string>("--concurrency") { DefaultValueFactory = _ => "1,2,4,8,16" };
        var requests = new Option<int>("--requests") { DefaultValueFactory = _ => 16 };
        var maxTokens = new Option<int>("--max-tokens") { DefaultValueFactory = _ => 64 };
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => 2 };
        var context = new Option<int>("--ctx") { DefaultValueFactory = _ => 512, Description = "tokens per sequence (slot)" };
        var systems = new Option<string>("--systems") { DefaultValueFactory = _ => string.Join(',', ServeSystem.Known.Select(system => system.Name)) };
        var upstream = new Option<string>("--upstream-bin") { DefaultValueFactory = _ => Environment.GetEnvironmentVariable("LOOKUPDECODE_UPSTREAM_BIN") ?? "native/upstream/bin" };
        var server = new Option<string>("--server") { DefaultValueFactory = _ => "src/LookupDecode.Server/bin/Release/net10.0/LookupDecode.Server.dll" };
        var output = new Option<string>("--out") { DefaultValueFactory = _ => "artifacts/serve" };
        var command = new RootCommand("Serving benchmark: throughput and latency against concurrency.") { model, concurrency, requests, maxTokens, threads, context, systems, upstream, server, output };
        var parsed = command.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            Console.Error.WriteLine(parsed.Errors[0].Message);
            return 2;
        }

        var settings = new ServeSettings(
            Path.GetFullPath(parsed.GetValue(model)!), parsed.GetValue(threads), parsed.GetValue(context), Path.GetFullPath(parsed.GetValue(server)!),
            Path.GetFullPath(parsed.GetValue(upstream)!));
        var levels = parsed.GetValue(concurrency)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        var chosen = parsed.GetValue(systems)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(name => ServeSystem.Known.FirstOrDefault(system => system.Name == name) ?? throw new ArgumentException($"unknown system '{name}'"))
            .ToArray();
        if (chosen.Any(system => system.Upstream) && !File.Exists(Path.Combine(settings.UpstreamBin, "llama-server")))
        {
            Console.Error.WriteLine($"no llama-server in {settings.UpstreamBin}: run native/fetch-upstream-tools.sh or leave the upstream systems out");
            return 2;
        }

        var outputDirectory = Directory.CreateDirectory(parsed.GetValue(output)!).FullName;
        var rows = new List<ServeRow>();
        var references = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var system in chosen)
        {
            foreach (var level in levels)
            {
                var row = await MeasureAsync(system, settings, level, Math.Max(parsed.GetValue(requests), level), parsed.GetValue(maxTokens), references).ConfigureAwait(false);
                rows.Add(row);
                Console.WriteLine(ServeReport.Line(row));
            }
        }

        ServeReport.Write(outputDirectory, rows, settings, parsed.GetValue(maxTokens));
        await File.WriteAllTextAsync(Path.Combine(outputDirectory, "serve.json"), JsonSerializer.Serialize(rows, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals })).ConfigureAwait(false);
        Console.WriteLine($"report: {Path.Combine(outputDirectory, "serve.md")}");
        return 0;
    }

    private static async Task<ServeRow> MeasureAsync(ServeSystem system, ServeSettings settings, int clients, int requests, int maxTokens, Dictionary<string, string[]> references)
    {
        using var server = await ServerUnderTest.StartAsync(system, settings, clients, TimeSpan.FromMinutes(10)).ConfigureAwait(false);
        // Warm-up: one pass over the prompts (our auto calibrates on its first request; caches fill as they would in service).
        var warm = await StreamingLoad.RunAsync(server.Address, Path.GetFileNameWithoutExtension(settings.Model), Prompts, Prompts.Length, Math.Min(clients, Prompts.Length), maxTokens, TimeSpan.FromMinutes(10)).ConfigureAwait(false);
        var outcome = await StreamingLoad.RunAsync(server.Address, Path.GetFileNameWithoutExtension(settings.Model), Prompts, requests, clients, maxTokens, TimeSpan.FromMinutes(5)).ConfigureAwait(false);
        // The reference is each engine's own greedy text at concurrency 1 (ours: our greedy engine's), from the warm-up.
        var family = system.Upstream ? "upstream" : "ours";
        if (!references.ContainsKey(family) && warm.Replies.All(reply => reply.Error is null))
        {
            references[family] = [.. Prompts.Select((_, i) => warm.Replies.First(reply => reply.Prompt == i).Text)];
        }

        var engine = system.Upstream ? "" : await EngineFiguresAsync(server.Address).ConfigureAwait(false);
        foreach (var error in outcome.Replies.Concat(warm.Replies).Where(reply => reply.Error is not null).Select(reply => reply.Error).Distinct())
        {
            Console.Error.WriteLine($"{system.Name} x{clients}: {error}");
        }

        var expected = references.GetValueOrDefault(family);
        var ok = outcome.Replies.Where(reply => reply.Error is null).ToArray();
        var gaps = ok.SelectMany(reply => reply.GapsSeconds).Order().ToArray();
        var firsts = ok.Select(reply => reply.FirstTokenSeconds).Where(double.IsFinite).Order().ToArray();
        return new ServeRow(
            system.Name,
            clients,
            requests,
            outcome.Replies.Count(reply => reply.Error is not null),
            expected is null ? -1 : ok.Count(reply => reply.Text != expected[reply.Prompt]),
            ok.Sum(reply => reply.Tokens) / outcome.Seconds,
            Percentile(firsts, 0.5) * 1000,
            Percentile(firsts, 0.99) * 1000,
            Percentile(gaps, 0.5) * 1000,
            Percentile(gaps, 0.99) * 1000,
            outcome.Seconds,
            engine);
    }

    /// <summary>Our engine's counters from <c>/metrics</c> (warm-up included): tokens and drafts per step, drafts accepted.</summary>
    private static async Task<string> EngineFiguresAsync(Uri server)
    {
        using var http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            // The exporter caches a scrape briefly: wait it out so the counters include the last requests.
            await Task.Delay(TimeSpan.FromSeconds(1.5)).ConfigureAwait(false);
            var text = await http.GetStringAsync(new Uri("metrics", UriKind.Relative)).ConfigureAwait(false);
            double Value(string name) => text.Split('\n').Where(line => line.StartsWith(name, StringComparison.Ordinal))
                .Select(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
            var steps = Value("lookupdecode_engine_steps");
            var accepted = Value("lookupdecode_server_draft_accepted");
            return steps == 0 ? "" : string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{Value("lookupdecode_engine_batch_tokens") / steps:F2} tokens/step, {Value("lookupdecode_engine_drafted_tokens") / steps:F2} drafted/step, {accepted / Math.Max(1, Value("lookupdecode_server_draft_drafted")):P0} accepted, managed {(Value("lookupdecode_engine_step_time") - Value("lookupdecode_engine_decode_time")) * 1e6 / steps:F0} µs/step against decode {Value("lookupdecode_engine_decode_time") * 1e3 / steps:F1} ms/step");
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or FormatException)
        {
            return "";
        }
    }

    private static double Percentile(double[] sorted, double quantile)
        => sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1)];
}

/// <summary>What every server in a run shares.</summary>
internal sealed record ServeSettings(string Model, int Threads, int ContextSize, string OurServer, string UpstreamBin);

/// <summary>One system at one concurrency.</summary>
internal sealed record ServeRow(
    string System,
    int Clients,
    int Requests,
    int Failed,
    int Differing,
    double TokensPerSecond,
    double FirstTokenP50Ms,
    double FirstTokenP99Ms,
    double InterTokenP50Ms,
    double InterTokenP99Ms,
    double Seconds,
    string Engine);
