using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;
using ProverMarketChain.Proving.Fields;

namespace ProverMarketChain.Sequencer.Poseidon;

/// <summary>
/// Poseidon over the BN254 scalar field exactly as circomlib 2.0.5's <c>Poseidon(n)</c> template computes it (the
/// optimised "S/P matrix" form of its <c>PoseidonEx</c>), with the round constants and matrices read from circomlib's own
/// <c>poseidon_constants.circom</c>: a port of <c>circuits/scripts/poseidon.js</c>, so the sequencer, the JS input
/// generator and the circuit cannot drift apart.
/// </summary>
/// <remarks>
/// <para><b>Why not Nethereum's Poseidon.</b> Nethereum.Util 6.1.0 has a <c>PoseidonHasher</c> whose presets
/// (<c>CircomT1</c>, <c>CircomT2</c>, <c>CircomT3</c>, <c>CircomT6</c>, <c>CircomT14</c>, <c>CircomT16</c>, named by
/// input count) give circomlib's hashes: the tests check this port against it for 1, 2 and 3 inputs. But the rollup's
/// batch hash is <c>Poseidon(5)</c>, for which it has no preset, and its public <c>PoseidonParameters.CreateBn254</c>
/// derives constants from a seed string rather than circomlib's Grain LFSR (its hashes differ from circomlib's); the
/// generator that does follow circomlib is internal. Hence this port, which serves every arity the same way.</para>
/// <para>Arithmetic is the prover's own <see cref="Fr"/> (Montgomery form); one hash allocates nothing (its state is
/// on the stack). Parameters are parsed once per width, on first use, and shared by all threads.</para>
/// </remarks>
public sealed class CircomPoseidon
{
    /// <summary>The BN254 scalar field order (circomlib's <c>p</c>).</summary>
    public static readonly BigInteger FieldModulus = Fr.Modulus;

    private const int FullRounds = 8;
    private static readonly int[] PartialRounds = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68];

    private readonly string _constantsFile;
    private readonly Lazy<string> _source;
    private readonly Lazy<Parameters>[] _byWidth = new Lazy<Parameters>[18];

    private CircomPoseidon(string constantsFile)
    {
        _constantsFile = constantsFile;
        _source = new Lazy<string>(() => File.ReadAllText(constantsFile), LazyThreadSafetyMode.ExecutionAndPublication);
        for (int t = 2; t <= 17; t++)
        {
            int width = t;
            _byWidth[t] = new Lazy<Parameters>(() => Load(width), LazyThreadSafetyMode.ExecutionAndPublication);
        }
    }

    /// <summary>Hashes with the constants in <paramref name="constantsFile"/> (circomlib's <c>poseidon_constants.circom</c>).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static CircomPoseidon FromConstantsFile(string constantsFile)
    {
        if (!File.Exists(constantsFile)) throw new FileNotFoundException($"circomlib's Poseidon constants not found at {constantsFile}: run 'npm ci' (make setup)", constantsFile);
        return new CircomPoseidon(constantsFile);
    }

    /// <summary>Hashes with circomlib's constants from <c>node_modules/circomlib/circuits/poseidon_constants.circom</c>
    /// under <paramref name="repoRoot"/>.</summary>
    public static CircomPoseidon FromRepository(string repoRoot) =>
        FromConstantsFile(Path.Combine(repoRoot, "node_modules", "circomlib", "circuits", "poseidon_constants.circom"));

    /// <summary>
    /// Finds circomlib's constants in the <c>node_modules</c> of the nearest folder above <paramref name="start"/> (default:
    /// the application's base directory, then the working directory) that has them.
    /// </summary>
    /// <exception cref="FileNotFoundException">No folder above has them.</exception>
    public static CircomPoseidon Locate(string? start = null)
    {
        foreach (var origin in start is null ? [AppContext.BaseDirectory, Environment.CurrentDirectory] : new[] { start })
        {
            for (var dir = new DirectoryInfo(origin); dir is not null; dir = dir.Parent)
            {
                var file = Path.Combine(dir.FullName, "node_modules", "circomlib", "circuits", "poseidon_constants.circom");
                if (File.Exists(file)) return new CircomPoseidon(file);
            }
        }
        throw new FileNotFoundException($"node_modules/circomlib/circuits/poseidon_constants.circom not found above {start ?? AppContext.BaseDirectory}: run 'npm ci' (make setup)");
    }

    /// <summary>Poseidon of 1 to 16 field elements, as circomlib's <c>Poseidon(inputs.Length)</c>.</summary>
    /// <exception cref="ArgumentException">No input, or more than 16.</exception>
    public Fr Hash(ReadOnlySpan<Fr> inputs)
    {
        if (inputs.Length is < 1 or > 16) throw new ArgumentException($"Poseidon takes 1 to 16 inputs, got {inputs.Length}", nameof(inputs));
        int t = inputs.Length + 1;
        var p = _byWidth[t].Value;
        Span<Fr> state = stackalloc Fr[t];
        Span<Fr> scratch = stackalloc Fr[t];
        state[0] = Fr.Zero;
        inputs.CopyTo(state[1..]);
        const int half = FullRounds / 2;
        var c = p.C;

        for (int j = 0; j < t; j++) state[j] += c[j];
        for (int r = 0; r < half - 1; r++)
        {
            for (int j = 0; j < t; j++) state[j] = Pow5(state[j]) + c[(r + 1) * t + j];
            Mix(state, p.M, scratch);
        }
        for (int j = 0; j < t; j++) state[j] = Pow5(state[j]) + c[half * t + j];
        Mix(state, p.P, scratch);

        var s = p.S;
        for (int r = 0; r < p.PartialRounds; r++)
        {
            Fr s0 = Pow5(state[0]) + c[(half + 1) * t + r];
            int b = (2 * t - 1) * r;
            Fr out0 = s[b] * s0;
            for (int i = 1; i < t; i++) out0 += s[b + i] * state[i];
            for (int i = 1; i < t; i++) state[i] += s0 * s[b + t + i - 1];
            state[0] = out0;
        }

        int baseC = (half + 1) * t + p.PartialRounds;
        for (int r = 0; r < half - 1; r++)
        {
            for (int j = 0; j < t; j++) state[j] = Pow5(state[j]) + c[baseC + r * t + j];
            Mix(state, p.M, scratch);
        }
        Fr result = Fr.Zero;
        for (int j = 0; j < t; j++) result += p.M[j * t] * Pow5(state[j]);
        return result;
    }

    /// <summary>Poseidon of integers in [0, p) (see <see cref="Hash(ReadOnlySpan{Fr})"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An input is negative or not below the field modulus.</exception>
    public BigInteger Hash(params ReadOnlySpan<BigInteger> inputs)
    {
        if (inputs.Length is < 1 or > 16) throw new ArgumentException($"Poseidon takes 1 to 16 inputs, got {inputs.Length}", nameof(inputs));
        Span<Fr> f = stackalloc Fr[inputs.Length];
        for (int i = 0; i < inputs.Length; i++) f[i] = ToField(inputs[i], $"input {i}");
        return Hash(f).ToBigInteger();
    }

    /// <summary>A field element from an integer in [0, p).</summary>
    /// <param name="value">The integer.</param>
    /// <param name="what">Names the value in the error.</param>
    /// <exception cref="ArgumentOutOfRangeException">Negative, or not below the modulus.</exception>
    public static Fr ToField(BigInteger value, string what)
    {
        if (value.Sign < 0 || value >= FieldModulus)
            throw new ArgumentOutOfRangeException(what, value, $"{what} is not in the BN254 scalar field [0, p)");
        return Fr.FromBigInteger(value);
    }

    private static Fr Pow5(in Fr x)
    {
        Fr x2 = x.Square();
        return x2.Square() * x;
    }

    /// <summary>out[i] = Σ_j M[j][i] · in[j] (circomlib's <c>Mix</c>), in place.</summary>
    private static void Mix(Span<Fr> state, Fr[] m, Span<Fr> scratch)
    {
        int t = state.Length;
        for (int i = 0; i < t; i++)
        {
            Fr acc = Fr.Zero;
            for (int j = 0; j < t; j++) acc += m[j * t + i] * state[j];
            scratch[i] = acc;
        }
        scratch[..t].CopyTo(state);
    }

    private Parameters Load(int t)
    {
        int nRoundsP = PartialRounds[t - 2];
        var c = Branch("POSEIDON_C", t);
        var s = Branch("POSEIDON_S", t);
        var m = Branch("POSEIDON_M", t);
        var pm = Branch("POSEIDON_P", t);
        if (c.Length != t * FullRounds + nRoundsP) throw Bad($"POSEIDON_C for t={t} has {c.Length} constants, expected {t * FullRounds + nRoundsP}");
        if (s.Length != nRoundsP * (2 * t - 1)) throw Bad($"POSEIDON_S for t={t} has {s.Length} constants, expected {nRoundsP * (2 * t - 1)}");
        if (m.Length != t * t) throw Bad($"POSEIDON_M for t={t} has {m.Length} entries, expected {t * t}");
        if (pm.Length != t * t) throw Bad($"POSEIDON_P for t={t} has {pm.Length} entries, expected {t * t}");
        return new Parameters(c, s, m, pm, nRoundsP);
    }

    /// <summary>The hex literals of the <c>t == <paramref name="t"/></c> branch of a constants function, in source order
    /// (as poseidon.js's <c>branch</c>).</summary>
    private Fr[] Branch(string name, int t)
    {
        var source = _source.Value;
        int start = source.IndexOf($"function {name}(t)", StringComparison.Ordinal);
        if (start < 0) throw Bad($"{name} not found");
        int next = source.IndexOf("\nfunction ", start + 1, StringComparison.Ordinal);
        var body = source.AsSpan(start, (next < 0 ? source.Length : next) - start).ToString();
        var m = Regex.Match(body, $@"t\s*==\s*{t}\s*\)");
        if (!m.Success) throw Bad($"{name} has no branch for t={t}");
        var rest = body[(m.Index + m.Length)..];
        var end = Regex.Match(rest, @"\}\s*else");
        var text = end.Success ? rest[..end.Index] : rest;
        return Regex.Matches(text, "0x[0-9a-fA-F]+")
            .Select(x => Fr.FromBigInteger(BigInteger.Parse("0" + x.Value[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)))
            .ToArray();
    }

    private InvalidDataException Bad(string what) => new($"poseidon: {what} in {_constantsFile}");

    private sealed record Parameters(Fr[] C, Fr[] S, Fr[] M, Fr[] P, int PartialRounds);
}
