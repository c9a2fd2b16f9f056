using System.Diagnostics;
using System.Reflection;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Server;

/// <summary>
/// The real server program (<c>dotnet LookupDecode.Server.dll</c>) on a free loopback port, as a user starts it. Its
/// address is read from Kestrel's "Now listening on" line; disposing kills it.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _log;

    private ServerProcess(Process process, Uri address, System.Text.StringBuilder log)
    {
        _process = process;
        Address = address;
        _log = log;
    }

    public Uri Address { get; }

    public int ProcessId => _process.Id;

    /// <summary>Everything the server has written to stdout and stderr so far.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>The built server next to its project (same configuration as these tests).</summary>
    public static string ServerDll
    {
        get
        {
            var configuration = typeof(ServerProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
            return Path.Combine(TestPaths.RepositoryRoot, "src", "LookupDecode.Server", "bin", configuration, "net10.0", "LookupDecode.Server.dll");
        }
    }

    /// <summary>The YARP proxy of the replica tests, built next to its project.</summary>
    public static string ProxyDll => Path.Combine(Path.GetDirectoryName(ServerDll)!.Replace(Path.Combine("src", "LookupDecode.Server"), Path.Combine("tests", "LookupDecode.TestProxy"), StringComparison.Ordinal), "LookupDecode.TestProxy.dll");

    public static Task<ServerProcess> StartAsync(string modelFile, IEnumerable<string>? arguments = null, IReadOnlyDictionary<string, string>? environment = null)
        => LaunchAsync([ServerDll, "--model", modelFile, .. arguments ?? []], environment);

    /// <summary>A YARP reverse proxy over <paramref name="replicas"/> (round robin, active health checks).</summary>
    public static Task<ServerProcess> StartProxyAsync(params Uri[] replicas)
        => LaunchAsync([ProxyDll, "--destinations", string.Join(",", replicas.Select(replica => replica.ToString()))], null);

    private static async Task<ServerProcess> LaunchAsync(string[] arguments, IReadOnlyDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])[.. arguments, "--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default", "Warning", "--Logging:LogLevel:Microsoft.Hosting.Lifetime", "Information"])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new System.Text.StringBuilder();
        void Read(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (log)
            {
                log.AppendLine(line);
            }

            const string marker = "Now listening on: ";
            var at = line.IndexOf(marker, StringComparison.Ordinal);
            if (at >= 0)
            {
                listening.TrySetResult(new Uri(line[(at + marker.Length)..].Trim()));
            }
        }

        process.OutputDataReceived += (_, e) => Read(e.Data);
        process.ErrorDataReceived += (_, e) => Read(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync();
        var finished = await Task.WhenAny(listening.Task, exited, Task.Delay(TimeSpan.FromMinutes(2)));
        if (finished != listening.Task)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            string text;
            lock (log)
            {
                text = log.ToString();
            }

            process.Dispose();
            throw new InvalidOperationException($"The server did not start listening: {text}");
        }

        // The log goes on growing: what the server writes later (at stop, say) is read from the same builder.
        return new ServerProcess(process, await listening.Task, log);
    }

    /// <summary>Stops the server as a service manager would (SIGTERM) and waits for it to exit; returns its exit code.</summary>
    public async Task<int> TerminateAsync()
    {
        Assert.Equal(0, Mono.Unix.Native.Syscall.kill(_process.Id, Mono.Unix.Native.Signum.SIGTERM));
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    /// <summary>Kills the server at once (SIGKILL), as a crash would.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await Task.CompletedTask;
        _process.Dispose();
    }
}
