using System.Diagnostics;
using System.Numerics;
using Microsoft.Extensions.Logging;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.Proving.Fields;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Groth16;
using ProverMarketChain.Proving.Witness;

namespace ProverMarketChain.Worker.Proving;

/// <summary>A proof in the layout the market's <c>fulfill</c>/<c>revealProof</c> take.</summary>
/// <param name="Proof">[A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y] (EIP-197 order).</param>
/// <param name="PublicInputs">The public signals, in <c>public.json</c> order.</param>
/// <param name="ProofJson">snarkjs <c>proof.json</c>.</param>
/// <param name="PublicJson">snarkjs <c>public.json</c>.</param>
/// <param name="Elapsed">Witness plus proving time.</param>
public sealed record ChainProof(BigInteger[] Proof, BigInteger[] PublicInputs, string ProofJson, string PublicJson, TimeSpan Elapsed);

/// <summary>The local artifacts of one circuit.</summary>
/// <param name="CircuitId">Registry id.</param>
/// <param name="ZkeyPath">Proving key.</param>
/// <param name="WasmPath">circom witness generator.</param>
public sealed record CircuitArtifacts(uint CircuitId, string ZkeyPath, string WasmPath);

/// <summary>
/// Turns a request's input into an on-chain proof: witness (circom's generator under node) then Groth16 (src/Proving).
/// Proving keys are opened once per circuit and proofs of one circuit are serialised.
/// </summary>
public sealed class ProofEngine : IDisposable
{
    private readonly Dictionary<uint, (CircuitArtifacts Artifacts, ZkeyFile Zkey, SemaphoreSlim Gate)> _circuits = new();
    private readonly WitnessCalculator _witness;
    private readonly IGroth16Backend _prover;
    private readonly ILogger _logger;
    private readonly string _scratch;

    /// <summary>Opens the proving keys of <paramref name="circuits"/>.</summary>
    /// <param name="circuits">The circuits served from local files.</param>
    /// <param name="logger">Engine log.</param>
    /// <param name="maxDegreeOfParallelism">The CPU prover's parallelism (-1 = all cores), when no prover is given.</param>
    /// <param name="prover">The prover (a GPU backend, say; the engine disposes it); null = the CPU prover.</param>
    /// <exception cref="ProvingFormatException">A proving key is missing or malformed.</exception>
    public ProofEngine(IEnumerable<CircuitArtifacts> circuits, ILogger logger, int maxDegreeOfParallelism = -1, IGroth16Backend? prover = null)
    {
        _logger = logger;
        _witness = new WitnessCalculator(logger: logger);
        _prover = prover ?? new Groth16Prover(logger, maxDegreeOfParallelism);
        _scratch = Directory.CreateTempSubdirectory("pmc-worker-").FullName;
        foreach (var c in circuits) Add(c);
    }

    /// <summary>Opens a circuit's proving key and starts serving it (artifacts fetched at start-up, say).</summary>
    /// <exception cref="ProvingFormatException">The proving key is missing or malformed.</exception>
    /// <exception cref="InvalidOperationException">The circuit is already served.</exception>
    public void Add(CircuitArtifacts circuit)
    {
        if (_circuits.ContainsKey(circuit.CircuitId)) throw new InvalidOperationException($"circuit {circuit.CircuitId} is already served");
        _circuits[circuit.CircuitId] = (circuit, ZkeyFile.Open(circuit.ZkeyPath), new SemaphoreSlim(1, 1));
    }

    /// <summary>What computes the proofs (the CPU prover, or a GPU's name).</summary>
    public string ProverDescription => _prover.Description;

    /// <summary>Whether this engine serves <paramref name="circuitId"/>.</summary>
    public bool Serves(uint circuitId) => _circuits.ContainsKey(circuitId);

    /// <summary>Stops serving a circuit (its artifacts do not match the registry, say).</summary>
    public void Disable(uint circuitId)
    {
        if (_circuits.Remove(circuitId, out var c)) c.Zkey.Dispose();
    }

    /// <summary>The served circuits.</summary>
    public IEnumerable<CircuitArtifacts> Circuits => _circuits.Values.Select(v => v.Artifacts);

    /// <summary>Proves <paramref name="inputJson"/> for a circuit (on a worker thread).</summary>
    /// <exception cref="ProvingFormatException">The input does not satisfy the circuit, or an artifact is bad.</exception>
    /// <exception cref="InputRejectedException">The witness does not satisfy the proving key (the proof fails verification).</exception>
    /// <param name="circuitId">Registry id of a served circuit.</param>
    /// <param name="inputJson">The circuit input (circom input.json).</param>
    /// <param name="progress">Told each completed phase (witness, then the prover's phases).</param>
    /// <param name="cancellationToken">Cancels the proof (checked between the witness and each prover phase).</param>
    public async Task<ChainProof> ProveAsync(uint circuitId, byte[] inputJson, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        if (!_circuits.TryGetValue(circuitId, out var c)) throw new InvalidOperationException($"circuit {circuitId} is not served");
        await c.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Task.Run(() =>
            {
                var sw = Stopwatch.StartNew();
                var witness = Witness(c.Artifacts.WasmPath, inputJson, TimeSpan.FromMinutes(10));
                progress?.Report("witness");
                cancellationToken.ThrowIfCancellationRequested();
                Groth16ProveResult result;
                try
                {
                    result = _prover.Prove(c.Zkey, witness, progress: progress, cancellationToken: cancellationToken);
                }
                catch (Groth16Exception e)
                {
                    // The witness the circuit's own generator produced does not satisfy its proving key (a circuit
                    // registered with mismatched artifacts, or one that under-constrains): deterministic for this input,
                    // so the job is abandoned instead of being proved again at every reconciliation.
                    throw new InputRejectedException($"circuit {circuitId}: {e.Message}");
                }
                var p = result.Proof;
                BigInteger[] flat =
                [
                    p.A.X.ToBigInteger(), p.A.Y.ToBigInteger(),
                    p.B.X.C1.ToBigInteger(), p.B.X.C0.ToBigInteger(), p.B.Y.C1.ToBigInteger(), p.B.Y.C0.ToBigInteger(),
                    p.C.X.ToBigInteger(), p.C.Y.ToBigInteger(),
                ];
                _logger.LogInformation("Proved circuit {Circuit} in {Ms} ms", circuitId, sw.ElapsedMilliseconds);
                return new ChainProof(flat, result.PublicSignals, SnarkjsJson.ProofToJson(p), SnarkjsJson.PublicToJson(result.PublicSignals), sw.Elapsed);
            }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            c.Gate.Release();
        }
    }

    /// <summary>
    /// Computes only the witness of <paramref name="inputJson"/> and returns its public signals (witness values
    /// 1..nPublic, what a proof of this input would publish): a preflight that the input satisfies the circuit and
    /// yields the public inputs a request commits to, at the cost of a witness (no proving key work). It does not wait
    /// for proofs of the circuit in progress.
    /// </summary>
    /// <exception cref="ProvingFormatException">The input does not satisfy the circuit, or an artifact is bad.</exception>
    public Task<BigInteger[]> PublicSignalsAsync(uint circuitId, byte[] inputJson, CancellationToken cancellationToken)
    {
        if (!_circuits.TryGetValue(circuitId, out var c)) throw new InvalidOperationException($"circuit {circuitId} is not served");
        int nPublic = c.Zkey.NPublic;
        return Task.Run(() =>
        {
            var witness = Witness(c.Artifacts.WasmPath, inputJson, TimeSpan.FromMinutes(2));
            if (witness.Length < nPublic + 1)
                throw new ProvingFormatException(c.Artifacts.WasmPath, $"the witness has {witness.Length} values, fewer than the {nPublic} public signals plus one");
            return witness.AsSpan(1, nPublic).ToArray().Select(x => x.ToBigInteger()).ToArray();
        }, cancellationToken);
    }

    /// <summary>The witness of <paramref name="inputJson"/> for the circuit's wasm (scratch files removed afterwards).</summary>
    private Fr[] Witness(string wasmPath, byte[] inputJson, TimeSpan timeout)
    {
        var name = Guid.NewGuid().ToString("n");
        var input = Path.Combine(_scratch, name + ".json");
        var wtns = Path.Combine(_scratch, name + ".wtns");
        File.WriteAllBytes(input, inputJson);
        try
        {
            return _witness.Calculate(wasmPath, input, wtns, timeout);
        }
        finally
        {
            File.Delete(input);
            File.Delete(wtns);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var c in _circuits.Values) c.Zkey.Dispose();
        (_prover as IDisposable)?.Dispose();
        try { Directory.Delete(_scratch, recursive: true); } catch (IOException) { }
    }
}
