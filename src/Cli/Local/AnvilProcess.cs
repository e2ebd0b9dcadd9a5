using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ProverMarketChain.Cli.Local;

/// <summary>An embedded anvil on a free loopback port, stopped (with its process tree) on dispose.</summary>
public sealed class AnvilProcess : IDisposable
{
    private readonly Process _process;

    private AnvilProcess(Process process, Uri endpoint)
    {
        _process = process;
        Endpoint = endpoint;
    }

    /// <summary>The JSON-RPC endpoint.</summary>
    public Uri Endpoint { get; }

    /// <summary>Starts <c>node_modules/.bin/anvil</c> with <paramref name="blockTimeSeconds"/>-second blocks (0: a block per transaction) and waits until it answers.</summary>
    public static async Task<AnvilProcess> StartAsync(string repoRoot, int blockTimeSeconds, CancellationToken ct)
    {
        var anvil = Path.Combine(repoRoot, "node_modules", ".bin", "anvil");
        if (!File.Exists(anvil)) throw new FileNotFoundException($"anvil not found at {anvil}: run 'make setup'", anvil);
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var psi = new ProcessStartInfo(anvil) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "--host", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent" })
            psi.ArgumentList.Add(a);
        if (blockTimeSeconds > 0)
        {
            psi.ArgumentList.Add("--block-time");
            psi.ArgumentList.Add(blockTimeSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start anvil");
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        var endpoint = new Uri($"http://127.0.0.1:{port}/");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (int i = 0; i < 100; i++)
        {
            if (p.HasExited) throw new InvalidOperationException($"anvil exited with code {p.ExitCode}");
            try
            {
                using var content = new StringContent("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]}", System.Text.Encoding.UTF8, "application/json");
                using var resp = await http.PostAsync(endpoint, content, ct).ConfigureAwait(false);
                if (resp.IsSuccessStatusCode) return new AnvilProcess(p, endpoint);
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested) { }
            await Task.Delay(100, ct).ConfigureAwait(false);
        }
        p.Kill(entireProcessTree: true);
        throw new TimeoutException("anvil did not answer within 10 s");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
