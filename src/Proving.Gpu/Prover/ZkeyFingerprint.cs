using ProverMarketChain.Proving.Curves;
using ProverMarketChain.Proving.Formats;

namespace ProverMarketChain.Proving.Gpu.Prover;

/// <summary>
/// Identifies a proving key whose points are on the device, so a reopened <see cref="ZkeyFile"/> of the same key reuses
/// them: the file (full path, size, last write), the circuit's shape and the key's δ (which every contribution changes,
/// so a different key at the same path with the same size and time still misses).
/// </summary>
/// <param name="FullPath">The key file's full path.</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="LastWriteUtc">Its last write time.</param>
/// <param name="NVars">Wires.</param>
/// <param name="NPublic">Public signals.</param>
/// <param name="DomainSize">QAP domain size.</param>
/// <param name="Delta1">δ in G1.</param>
/// <param name="Delta2">δ in G2.</param>
public sealed record ZkeyFingerprint(string FullPath, long Size, DateTime LastWriteUtc, int NVars, int NPublic, int DomainSize, G1Affine Delta1, G2Affine Delta2)
{
    /// <summary>The fingerprint of an open key.</summary>
    public static ZkeyFingerprint Of(ZkeyFile zkey)
    {
        ArgumentNullException.ThrowIfNull(zkey);
        string full = System.IO.Path.GetFullPath(zkey.Path);
        return new ZkeyFingerprint(full, zkey.FileSize, File.GetLastWriteTimeUtc(full), zkey.NVars, zkey.NPublic, zkey.DomainSize, zkey.Delta1, zkey.Delta2);
    }
}
