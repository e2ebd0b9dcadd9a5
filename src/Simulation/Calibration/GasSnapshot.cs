using System.Globalization;
using System.Text.Json;

namespace ProverMarketChain.Simulation.Calibration;

/// <summary>Gas per market operation, read from the committed forge gas snapshot (<c>snapshots/lifecycle.json</c>, written
/// by <c>make snapshot</c> from <c>contracts/test/GasSnapshot.t.sol</c>). The steady-state entries are used: warm
/// accounts and bid lanes, as for a prover that has bid before.</summary>
/// <param name="Source">The file read.</param>
/// <param name="Entries">Every entry of the snapshot.</param>
public sealed record GasSnapshot(string Source, IReadOnlyDictionary<string, long> Entries)
{
    /// <summary>The snapshot's path in the repository.</summary>
    public const string RelativePath = "snapshots/lifecycle.json";

    /// <summary>Reads and parses the snapshot at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a JSON object of decimal strings.</exception>
    public static GasSnapshot Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"gas snapshot not found: {path} (run from the repository, or pass --gas-snapshot)", path);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{path}: not a JSON object");
        var d = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            var text = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText();
            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v))
                throw new InvalidDataException($"{path}: entry '{p.Name}' is not a whole number: '{text}'");
            d[p.Name] = v;
        }
        return new GasSnapshot(path, d);
    }

    /// <summary>The entry <paramref name="key"/>.</summary>
    /// <exception cref="KeyNotFoundException">The snapshot has no such entry.</exception>
    public long this[string key] => Entries.TryGetValue(key, out var v) ? v : throw new KeyNotFoundException($"gas snapshot {Source} has no entry '{key}'");

    /// <summary>The gas table the simulator uses (see <see cref="GasTable"/> for which entry each comes from).</summary>
    public GasTable ToTable() => new(
        SealedSubmit: this["sealedBid3Steady/submit"],
        SealedCommit: this["sealedBid3Steady/commit1"],
        SealedReveal: (this["sealedBid3Steady/reveal1"] + this["sealedBid3Steady/reveal2"] + this["sealedBid3Steady/reveal3"]) / 3,
        SealedFulfill: this["sealedBid3Steady/fulfill"],
        DutchSubmit: this["dutchSteady/submit"],
        DutchLock: this["dutchSteady/lock"],
        DutchFulfill: this["dutchSteady/fulfill"],
        AskSubmit: this["standingAskSteady/submit"],
        AskAccept: this["standingAskSteady/acceptMatch"],
        AskFulfill: this["standingAskSteady/fulfill"],
        AskPost: this["standingAsk/postAsk(third,hinted)"],
        RaceSubmit: this["openRace3/submit"],
        RaceCommit: this["openRace3/commitProof2"],
        RaceReveal: this["openRace3/revealProof"]);
}

/// <summary>Gas of each operation the simulated mechanisms send (from <see cref="GasSnapshot.ToTable"/>).</summary>
public sealed record GasTable(long SealedSubmit, long SealedCommit, long SealedReveal, long SealedFulfill, long DutchSubmit, long DutchLock,
    long DutchFulfill, long AskSubmit, long AskAccept, long AskFulfill, long AskPost, long RaceSubmit, long RaceCommit, long RaceReveal);
