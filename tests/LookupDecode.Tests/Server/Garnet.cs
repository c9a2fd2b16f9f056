using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Server;

/// <summary>
/// A Garnet server (the <c>garnet-server</c> .NET tool pinned in <c>.config/dotnet-tools.json</c>, restored if needed)
/// on a free loopback port, killed on dispose.
/// </summary>
internal sealed class Garnet : IAsyncDisposable
{
    private readonly Process _process;
    private int _disposed;

    private Garnet(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>Starts Garnet on <paramref name="port"/> (a free one when null: a restart passes the old one).</summary>
    public static async Task<Garnet> StartAsync(int? port = null)
    {
        var restore = await ChildProcessIn(TestPaths.RepositoryRoot, "dotnet", ["tool", "restore"]);
        Assert.True(restore.ExitCode == 0, $"dotnet tool restore failed: {restore.Output}");
        port ??= FreePort();
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = TestPaths.RepositoryRoot, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["tool", "run", "garnet-server", "--", "--port", port.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "-m", "128m", "-i", "16m"])
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port.Value);
                return new Garnet(process, port.Value);
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Kills the server (SIGKILL: what a crashed or restarted Redis looks like to its clients).</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<(int ExitCode, string Output)> ChildProcessIn(string directory, string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in args)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }
}
