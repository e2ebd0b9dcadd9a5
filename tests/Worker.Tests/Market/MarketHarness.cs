using Nethereum.Contracts;
using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ProverMarketChain.ContractBindings;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Crypto;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.ContractBindings.Tests.Infrastructure;
using ProverMarketChain.Worker.Configuration;
using ProverMarketChain.Worker.Node;
using ProverMarketChain.Worker.Proving;

namespace ProverMarketChain.Worker.Tests.Market;

/// <summary>anvil with one-second blocks, like the demo and the latency target.</summary>
public sealed class BlockTimeAnvil : AnvilFixture
{
    protected override string ExtraArguments => "--block-time 1";
}

/// <summary>
/// A deployed market on a private anvil with the multiplier circuit registered (its committed verifier checked
/// against the local build), funded provers, and helpers to run workers and post requests.
/// </summary>
public sealed class MarketHarness : IAsyncDisposable
{
    public static readonly BigInteger Ether = BigInteger.Pow(10, 18);
    public const uint CircuitId = 1;

    private readonly List<(WorkerHost Host, CancellationTokenSource Stop, Task Run)> _workers = [];

    private MarketHarness(AnvilFixture anvil, string work) { Anvil = anvil; Work = work; }

    public AnvilFixture Anvil { get; }
    public string Work { get; }
    public EthClient Client { get; private set; } = null!;
    public Signer Requester { get; private set; } = null!;
    public IProverMarketService Market { get; private set; } = null!;
    public Address Verifier { get; private set; }
    public string DeploymentFile { get; private set; } = "";
    public string Zkey { get; private set; } = "";
    public string Wasm { get; private set; } = "";

    public static async Task<MarketHarness> CreateAsync(AnvilFixture anvil)
    {
        var h = new MarketHarness(anvil, Directory.CreateTempSubdirectory("pmc-worker-test-").FullName);
        var build = Path.Combine(RepoPaths.Root, "circuits", "build", "multiplier");
        h.Zkey = Path.Combine(build, "multiplier.zkey");
        h.Wasm = Path.Combine(build, "multiplier_js", "multiplier.wasm");
        if (!File.Exists(h.Zkey) || !File.Exists(h.Wasm))
            throw new InvalidOperationException($"multiplier circuit not built in {build}: run 'make setup' (circuits/build.sh)");

        h.Client = anvil.CreateClient();
        var owner = anvil.CreateSigner(AnvilFixture.PrivateKey0, Fast);
        h.Requester = anvil.CreateSigner(AnvilFixture.PrivateKey1, Fast);
        var deployment = await Deployment.DeployAsync(owner, owner.From);
        var registry = new CircuitRegistryService(owner.Web3(), deployment.CircuitRegistry.ToString());
        var verifier = await MultiplierVerifierService.DeployContractAndGetServiceAsync(owner.Web3(), new MultiplierVerifierService.MultiplierVerifierDeployment());
        h.Verifier = Address.Parse(verifier.ContractAddress);
        // The owner publishes an artifact manifest; workers without local files fetch the artifacts through it.
        h.ArtifactsManifest = Path.Combine(h.Work, ArtifactStore.ManifestFileName);
        ArtifactStore.WriteManifest(h.ArtifactsManifest, new Uri(h.Zkey).AbsoluteUri, new Uri(h.Wasm).AbsoluteUri);
        await registry.RegisterCircuitRequestAndWaitForReceiptAsync(h.Verifier, new Uri(h.ArtifactsManifest).AbsoluteUri,
            await ArtifactStore.ComputeHashAsync(h.Zkey, h.Wasm), 4, 2);
        h.Market = new IProverMarketService(h.Requester.Web3(), deployment.ProverMarket.ToString());
        h.ProtocolFeeBps = await h.Market.EffectiveProtocolFeeQueryAsync();
        h.AskBook = new IAskBookService(h.Requester.Web3(), (await h.Market.AskBookQueryAsync()).ToString());
        h.Vault = deployment.CollateralVault;
        h.DeploymentFile = Path.Combine(h.Work, "deployment.json");
        deployment.Save(h.DeploymentFile);
        return h;
    }

    public Address Vault { get; private set; }

    /// <summary>The protocol fee every request must carry (the market's effective fee).</summary>
    public BigInteger ProtocolFeeBps { get; private set; }

    /// <summary>The market's ask book.</summary>
    public IAskBookService AskBook { get; private set; } = null!;

    /// <summary>The market's shortest sealed-bid reveal phase (<c>MIN_REVEAL_WINDOW</c>), in seconds.</summary>
    public const ulong MinRevealSeconds = 12;

    /// <summary>The artifact manifest the circuit is registered with.</summary>
    public string ArtifactsManifest { get; private set; } = "";

    /// <summary>What the in-process workers logged.</summary>
    public TestLog Log { get; } = new();

    public static SignerOptions Fast => new() { ReceiptPollInterval = TimeSpan.FromMilliseconds(50) };

    /// <summary>A new prover key, funded with 10 ETH, with <paramref name="collateral"/> (default 1 ETH) deposited in the vault.</summary>
    public async Task<EthKey> NewProverAsync(BigInteger? collateral = null)
    {
        var key = EthKey.Generate();
        await Anvil.CreateRpc().SendAsync("anvil_setBalance", [key.Address.ToString(), "0x8ac7230489e80000"]);
        var deposit = collateral ?? Ether;
        if (!deposit.IsZero) await new CollateralVaultService((new Signer(Anvil.CreateClient(), key, Fast)).Web3(), Vault.ToString()).DepositEthRequestAndWaitForReceiptAsync(deposit);
        return key;
    }

    /// <summary>A validated worker configuration, written to disk (for process-run workers) and returned.</summary>
    public (WorkerOptions Options, string File, Dictionary<string, string?> Env) WorkerConfig(EthKey key, string name, string costPerUnitWei,
        double unitsPerSecond = 1000, Uri? rpc = null, TimeSpan? attemptTimeout = null, bool fetchArtifacts = false)
    {
        var options = new WorkerOptions
        {
            RpcUrl = (rpc ?? Anvil.Endpoint).ToString(),
            DeploymentFile = DeploymentFile,
            JournalPath = Path.Combine(Work, name + ".db"),
            Circuits = [fetchArtifacts ? new CircuitOptions { CircuitId = CircuitId } : new CircuitOptions { CircuitId = CircuitId, Zkey = Zkey, WitnessWasm = Wasm }],
            ArtifactCacheDir = Path.Combine(Work, name + "-artifacts"),
            CostModel = new CostModelOptions { CostPerUnitWei = costPerUnitWei, MarginBps = 1000, UnitsPerSecond = unitsPerSecond, TimeSafetyFactor = 1 },
            Capacity = 4,
            Confirmations = 0,
            PollInterval = TimeSpan.FromMilliseconds(200),
            RpcAttemptTimeout = attemptTimeout ?? TimeSpan.FromSeconds(10),
            PostStandingAsks = false,
            // Some tests post requests whose input is a file:// URI in the harness's work folder.
            AllowFileInputs = true,
        };
        var env = new Dictionary<string, string?> { [WorkerOptions.PrivateKeyVariable] = "0x" + Convert.ToHexStringLower(key.ExportPrivateKey()) };
        Assert.Empty(options.Validate(env));
        var file = Path.Combine(Work, name + ".json");
        File.WriteAllText(file, JsonSerializer.Serialize(options));
        return (options, file, env);
    }

    /// <summary>Runs a worker in this process until the harness is disposed or <see cref="StopWorker"/>.</summary>
    public WorkerHost StartWorker(WorkerOptions options, Dictionary<string, string?> env)
    {
        var host = WorkerHost.Create(options, Log, env, Path.GetFileNameWithoutExtension(options.JournalPath));
        var stop = new CancellationTokenSource();
        _workers.Add((host, stop, host.Node.RunAsync(stop.Token)));
        return host;
    }

    /// <summary>Waits (bounded) for an in-process worker to stop by itself, rethrowing what stopped it.</summary>
    public async Task WaitForWorkerAsync(WorkerHost host, TimeSpan timeout) =>
        await _workers.Single(x => x.Host == host).Run.WaitAsync(timeout);

    /// <summary>Stops an in-process worker as a crash would: no further transactions.</summary>
    public async Task StopWorker(WorkerHost host)
    {
        var w = _workers.Single(x => x.Host == host);
        await w.Stop.CancelAsync();
        try { await w.Run; } catch (OperationCanceledException) { }
    }

    /// <summary>Submits a request through a requester contract (its address is the request's requester): the terms, the
    ///     inline input, the input URI, the public inputs and the escrow; returns the receipt.</summary>
    public delegate Task<Nethereum.RPC.Eth.DTOs.TransactionReceipt> SubmitVia(Request request, byte[] input, string inputUri, List<BigInteger> publics, BigInteger escrow);

    /// <summary>
    /// Posts a multiplier request (a x b) in <paramref name="mode"/>. <paramref name="publicsOverride"/> publishes other
    /// public inputs than the input yields (a request no proof of its input can fulfil). <paramref name="callbackGasLimit"/>
    /// asks the market to call the requester back with that much gas; <paramref name="via"/> submits through a requester
    /// contract at <paramref name="requester"/> (the one that can be called back) instead of the requester account.
    /// </summary>
    public async Task<(Request Request, byte[] Id)> SubmitAsync(int mode, int a, int b, ulong bidSeconds = 4, ulong revealSeconds = MinRevealSeconds,
        uint provingWindow = 30, int onMiss = 0, BigInteger? latencyWeight = null, string? inputUri = null, byte[]? inputHashOverride = null,
        BigInteger[]? publicsOverride = null, BigInteger? minCollateral = null, uint callbackGasLimit = 0, Address? requester = null, SubmitVia? via = null)
    {
        var now = (await Client.GetBlockByTagAsync("latest"))!.Timestamp;
        var input = System.Text.Encoding.UTF8.GetBytes($"{{\"a\":\"{a}\",\"b\":\"{b}\"}}");
        var c = new BigInteger(a) * b;
        BigInteger[] publics = publicsOverride ?? [c, c * c + b];
        var maxFee = Ether / 100;
        var request = new Request(requester ?? Requester.From, CircuitId, mode, onMiss, 0,
            BidDeadline: now + bidSeconds, RevealDeadline: now + bidSeconds + revealSeconds, ProvingWindow: provingWindow,
            Verifier: Verifier, MaxFee: maxFee, MinFee: mode == 1 ? Ether / 1000 : 0, MinCollateral: minCollateral ?? Ether / 100,
            LatencyWeight: latencyWeight ?? BigInteger.Zero, Nonce: (ulong)Random.Shared.NextInt64(1, long.MaxValue),
            InputHash: inputHashOverride ?? Keccak.Hash(input), PublicInputsHash: PublicInputs.Hash(publics), ProtocolFeeBps: ProtocolFeeBps, CallbackGasLimit: callbackGasLimit);
        var receipt = via is null
            ? await Market.SubmitRequestRequestAndWaitForReceiptAsync(request, inputUri is null ? input : [], inputUri ?? "", publics.ToList(), maxFee)
            : await via(request, inputUri is null ? input : [], inputUri ?? "", publics.ToList(), maxFee);
        return (request, receipt.DecodeAllEvents<IProverMarketService.RequestSubmittedEventDTO>().Single().Event.RequestId);
    }

    /// <summary>Waits until the request reaches <paramref name="status"/> (market Status enum value).</summary>
    public async Task<RequestView> WaitForStatusAsync(byte[] id, int status, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        RequestView view;
        do
        {
            view = await Market.RequestStateQueryAsync(id);
            if ((int)view.Status == status) return view;
            ThrowIfAWorkerDied();
            await Task.Delay(250);
        }
        while (sw.Elapsed < timeout);
        throw new TimeoutException($"request {Hex.Encode(id)} stayed in status {view.Status}, expected {status} within {timeout}; worker log:\n{Log.Tail()}");
    }

    /// <summary>Waits until <paramref name="prover"/>'s ask for the circuit is listed, and returns it.</summary>
    public async Task<Ask> WaitForAskAsync(Address prover, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            var ask = await AskBook.AskOfQueryAsync(CircuitId, prover);
            if (ask.Listed) return ask;
            ThrowIfAWorkerDied();
            if (sw.Elapsed > timeout) throw new TimeoutException($"{prover} posted no ask within {timeout}; worker log:\n{Log.Tail()}");
            await Task.Delay(250);
        }
    }

    /// <summary>Surfaces the failure of an in-process worker that stopped on its own.</summary>
    public void ThrowIfAWorkerDied()
    {
        foreach (var w in _workers)
            if (w.Run.IsFaulted && !w.Stop.IsCancellationRequested)
                throw new InvalidOperationException("a worker stopped: " + w.Run.Exception!.GetBaseException().Message, w.Run.Exception);
    }

    /// <summary>Stops (0) or restarts (seconds) anvil's block production; with it stopped, <see cref="MineAsync"/> mines one block.</summary>
    public Task SetIntervalMiningAsync(int seconds) => Anvil.CreateRpc().SendAsync("evm_setIntervalMining", [seconds]);

    /// <summary>Mines one block now.</summary>
    public Task MineAsync() => Anvil.CreateRpc().SendAsync("evm_mine", []);

    /// <summary>Sets the next block's base fee (anvil).</summary>
    public Task SetNextBaseFeeAsync(BigInteger weiPerGas) =>
        Anvil.CreateRpc().SendAsync("anvil_setNextBlockBaseFeePerGas", ["0x" + weiPerGas.ToString("x", CultureInfo.InvariantCulture).TrimStart('0')]);

    /// <summary>Transactions of <paramref name="account"/> broadcast but not yet mined.</summary>
    public async Task<ulong> PendingTransactionsAsync(Address account) =>
        await Client.GetTransactionCountAsync(account, "pending") - await Client.GetTransactionCountAsync(account, "latest");

    /// <summary>The market's <c>RequestFulfilled</c> event of a request, with the transaction that carried it.</summary>
    public async Task<(IProverMarketService.RequestFulfilledEventDTO Event, byte[] Transaction)> FulfilledAsync(byte[] id)
    {
        foreach (var log in await MarketLogsAsync(id))
            if (log.TryDecodeEvent<IProverMarketService.RequestFulfilledEventDTO>(out var e)) return (e, log.TransactionHash);
        throw new InvalidOperationException($"request {Hex.Encode(id)} has no RequestFulfilled event");
    }

    public async Task<IReadOnlyList<LogEntry>> MarketLogsAsync(byte[] id) =>
        (await Client.GetLogsAsync(new LogFilter(0, null, [Address.Parse(Market.ContractAddress)], [null, id]))).ToList();

    public async ValueTask DisposeAsync()
    {
        foreach (var w in _workers)
        {
            await w.Stop.CancelAsync();
            // A worker that stopped by itself was already surfaced (ThrowIfAWorkerDied, WaitForWorkerAsync).
            try { await w.Run; } catch (Exception) when (w.Run.IsFaulted || w.Run.IsCanceled) { }
            await w.Host.DisposeAsync();
        }
        try { Directory.Delete(Work, recursive: true); } catch (IOException) { }
    }
}
