using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ProverMarketChain.ContractBindings.Crypto;
using ProverMarketChain.ContractBindings.Rpc;

namespace ProverMarketChain.ContractBindings.Tests.Infrastructure;

/// <summary>Locates the repository root (the directory holding ProverMarketChain.sln) and its node tools.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> LazyRoot = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ProverMarketChain.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException($"ProverMarketChain.sln not found above {AppContext.BaseDirectory}.");
    });

    /// <summary>The repository root.</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>Path of a tool in node_modules/.bin (anvil, cast, forge...).</summary>
    public static string Tool(string name) => Path.Combine(Root, "node_modules", ".bin", name);
}

/// <summary>
/// Starts a private anvil on a free loopback port and stops it on dispose. Use as an xunit class fixture
/// (<c>IClassFixture&lt;AnvilFixture&gt;</c>); every instance is an independent chain, so test classes run in parallel.
/// </summary>
public class AnvilFixture : IAsyncLifetime, IDisposable
{
    /// <summary>anvil's first default account private key (mnemonic "test test ... junk").</summary>
    public const string PrivateKey0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    /// <summary>anvil's second default account private key.</summary>
    public const string PrivateKey1 = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

    /// <summary>anvil's third default account private key.</summary>
    public const string PrivateKey2 = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";

    /// <summary>Chain id anvil runs with.</summary>
    public const ulong ChainId = 31337;

    private Process? _process;

    /// <summary>Extra command-line arguments for anvil (override to change block time etc.).</summary>
    protected virtual string ExtraArguments => string.Empty;

    /// <summary>The port anvil listens on.</summary>
    public int Port { get; private set; }

    /// <summary>The HTTP endpoint.</summary>
    public Uri Endpoint => new($"http://127.0.0.1:{Port}/");

    /// <summary>A fresh JSON-RPC client with short timeouts suited to a local node.</summary>
    public JsonRpcClient CreateRpc(JsonRpcClientOptions? options = null) =>
        new(Endpoint, options ?? new JsonRpcClientOptions { AttemptTimeout = TimeSpan.FromSeconds(5), OverallTimeout = TimeSpan.FromSeconds(30) });

    /// <summary>A fresh typed client.</summary>
    public EthClient CreateClient() => new(CreateRpc());

    /// <summary>A signer for one of anvil's default keys with fast receipt polling.</summary>
    public Signer CreateSigner(string privateKey = PrivateKey0, SignerOptions? options = null) =>
        new(CreateClient(), EthKey.FromPrivateKey(privateKey), options ?? new SignerOptions { ReceiptPollInterval = TimeSpan.FromMilliseconds(20) });

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        for (int attempt = 0; attempt < 3; attempt++)
        {
            Port = FreePort();
            var psi = new ProcessStartInfo(RepoPaths.Tool("anvil"), $"--host 127.0.0.1 --port {Port} --chain-id {ChainId} --silent {ExtraArguments}")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            _process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start anvil.");
            _process.OutputDataReceived += (_, _) => { };
            _process.ErrorDataReceived += (_, _) => { };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
            if (await WaitReadyAsync(TimeSpan.FromSeconds(20)))
            {
                return;
            }

            Stop(); // port race or slow start: try another port
        }

        throw new InvalidOperationException("anvil did not become ready.");
    }

    /// <inheritdoc />
    public Task DisposeAsync()
    {
        Stop();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Stop();
        GC.SuppressFinalize(this);
    }

    private async Task<bool> WaitReadyAsync(TimeSpan timeout)
    {
        using var rpc = new JsonRpcClient(Endpoint, new JsonRpcClientOptions { AttemptTimeout = TimeSpan.FromSeconds(1), OverallTimeout = TimeSpan.FromSeconds(2), MaxRetries = 0 });
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process is null || _process.HasExited)
            {
                return false;
            }

            try
            {
                await rpc.SendAsync("eth_chainId", []);
                return true;
            }
            catch (JsonRpcException)
            {
                await Task.Delay(50);
            }
        }

        return false;
    }

    private void Stop()
    {
        var p = _process;
        _process = null;
        if (p is null)
        {
            return;
        }

        try
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }

        p.Dispose();
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
