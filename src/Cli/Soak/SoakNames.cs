namespace ProverMarketChain.Cli.Soak;

/// <summary>How the soak names allocation modes and hostile cases in its progress lines and audit.</summary>
public static class SoakNames
{
    /// <summary>The market's allocation modes by value.</summary>
    public static IReadOnlyList<string> Modes { get; } = ["sealed-bid", "dutch", "standing-ask", "open-race"];

    /// <summary>The name of a hostile case, as the command line and the audit spell it.</summary>
    public static string Of(HostileCase c) => c switch
    {
        HostileCase.InputHashMismatch => "input-hash-mismatch",
        HostileCase.Slowloris => "slowloris",
        HostileCase.Http503 => "http-503",
        HostileCase.UnsatisfiableHugeCollateral => "unsatisfiable-huge-collateral",
        HostileCase.FileDevStdin => "file-dev-stdin",
        HostileCase.MetadataAddress => "metadata-address",
        _ => throw new ArgumentOutOfRangeException(nameof(c), c, null),
    };

    /// <summary>Parses a hostile case name; false when unknown.</summary>
    public static bool TryParse(string name, out HostileCase c)
    {
        foreach (var v in Enum.GetValues<HostileCase>())
        {
            if (Of(v) == name)
            {
                c = v;
                return true;
            }
        }
        c = default;
        return false;
    }

    /// <summary>The names of the market's request statuses by value.</summary>
    public static IReadOnlyList<string> Statuses { get; } = ["none", "open", "assigned", "secondary", "fulfilled", "cancelled", "expired", "matched"];
}
