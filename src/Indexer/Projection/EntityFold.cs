using System.Numerics;
using System.Text.Json.Nodes;
using ProverMarketChain.Indexer.Model;

namespace ProverMarketChain.Indexer.Projection;

/// <summary>The vault balance of one account in one asset, as its events report it.</summary>
public sealed class AccountState
{
    /// <summary>Free (withdrawable or lockable) balance.</summary>
    public BigInteger Free { get; set; }

    /// <summary>Locked as collateral.</summary>
    public BigInteger Locked { get; set; }

    /// <summary>Requested for withdrawal, waiting for the unbonding delay.</summary>
    public BigInteger Pending { get; set; }
}

/// <summary>
/// Folds the events that are not a request's into their state: vault accounts (key <c>vault:account:asset</c>), standing
/// asks (<c>ask:circuit:prover</c>) and circuits (<c>circuit:id</c>). Like <see cref="RequestFold"/>, one function serves
/// live indexing and re-folds after a reorganisation.
/// </summary>
public static class EntityFold
{
    /// <summary>The projection key of a vault account.</summary>
    public static string AccountKey(string account, long assetId) => $"vault:{account}:{assetId}";

    /// <summary>The projection key of a standing ask.</summary>
    public static string AskKey(long circuitId, string prover) => $"ask:{circuitId}:{prover}";

    /// <summary>The projection key of a circuit.</summary>
    public static string CircuitKey(long circuitId) => $"circuit:{circuitId}";

    /// <summary>Applies a vault event to an account (null before its first event).</summary>
    public static AccountState ApplyAccount(AccountState? s, ChainEvent e)
    {
        s ??= new AccountState();
        switch (e.Name)
        {
            case "Deposited":
                s.Free = e.Big("newFree");
                break;
            case "WithdrawalRequested":
                s.Free = e.Big("newFree");
                s.Pending = e.Big("totalPending");
                break;
            case "WithdrawalCancelled":
                s.Free = e.Big("newFree");
                s.Pending = BigInteger.Max(0, s.Pending - e.Big("amount"));
                break;
            case "WithdrawalCompleted":
                s.Pending = BigInteger.Max(0, s.Pending - e.Big("amount"));
                break;
            case "Locked":
            case "Unlocked":
                s.Free = e.Big("newFree");
                s.Locked = e.Big("newLocked");
                break;
            case "Slashed":
                s.Locked = e.Big("newLocked");
                break;
        }
        return s;
    }

    /// <summary>Applies an ask-book or registry event to its entity's JSON state (null before its first event).</summary>
    public static JsonObject ApplyEntity(JsonObject? s, ChainEvent e)
    {
        s ??= new JsonObject();
        switch (e.Name)
        {
            case "AskPosted":
                foreach (var f in new[] { "pricePerUnit", "maxLatency", "capacity", "assetId", "maxCollateral", "expiresAt" })
                    s[f] = e.Text(f);
                s["active"] = true;
                s["postedAt"] = e.Timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture);
                s.Remove("removal");
                break;
            case "AskCancelled":
                s["active"] = false;
                s["removal"] = "Cancelled";
                break;
            case "AskRemoved":
                s["active"] = false;
                s["removal"] = (int)e.Long("reason") switch { 0 => "Expired", 1 => "Unbacked", 2 => "Evicted", 3 => "Silent", var r => r.ToString(System.Globalization.CultureInfo.InvariantCulture) };
                break;
            case "AskCapacityChanged":
                s["capacity"] = e.Text("capacity");
                break;
            case "CircuitRegistered":
                foreach (var f in new[] { "owner", "verifier", "provingUnits", "publicInputCount", "artifactsHash", "artifactsURI" })
                    s[f] = e.Text(f);
                s["registeredAt"] = e.Timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture);
                break;
            case "VerifierUpgradeProposed":
                // The artifacts go with the proposed verifier: provers check the new verifier against them before the
                // upgrade takes effect (the registry's view reports them as pendingArtifactsHash/URI).
                s["pendingVerifier"] = e.Text("newVerifier");
                s["pendingActivatesAt"] = e.Text("activatesAt");
                s["pendingArtifactsHash"] = e.Text("artifactsHash");
                s["pendingArtifactsURI"] = e.Text("artifactsURI");
                break;
            case "VerifierUpgradeCancelled":
                RemovePending(s);
                break;
            case "VerifierUpgradeActivated":
                s["verifier"] = e.Text("verifier");
                s["artifactsHash"] = e.Text("artifactsHash");
                s["artifactsURI"] = e.Text("artifactsURI");
                RemovePending(s);
                break;
            case "CircuitOwnershipTransferred":
                s["owner"] = e.Text("newOwner");
                break;
        }
        return s;
    }

    private static void RemovePending(JsonObject s)
    {
        foreach (var f in new[] { "pendingVerifier", "pendingActivatesAt", "pendingArtifactsHash", "pendingArtifactsURI" }) s.Remove(f);
    }
}
