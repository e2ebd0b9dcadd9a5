using ILGPU.Runtime;
using Microsoft.Extensions.Logging;
using ProverMarketChain.Proving.Formats;
using ProverMarketChain.Proving.Gpu.Runtime;

namespace ProverMarketChain.Proving.Gpu.Prover;

/// <summary>
/// The proving keys resident on one device, by <see cref="ZkeyFingerprint"/>, within a memory budget: the least recently
/// used key is freed when a new one would not fit, and a key larger than the whole budget is refused with its size.
/// Not thread-safe: the GPU prover serialises its proofs.
/// </summary>
public sealed class GpuProvingKeyCache : IDisposable
{
    private readonly GpuContext _context;
    private readonly long _budget;
    private readonly ILogger _logger;
    private readonly LinkedList<GpuProvingKey> _keys = new(); // most recently used first

    /// <summary>Creates an empty cache.</summary>
    /// <param name="context">The device.</param>
    /// <param name="budgetBytes">Most device memory the keys may hold together.</param>
    /// <param name="logger">Told of uploads and evictions.</param>
    public GpuProvingKeyCache(GpuContext context, long budgetBytes, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(budgetBytes);
        _context = context;
        _budget = budgetBytes;
        _logger = logger;
    }

    /// <summary>Keys on the device now.</summary>
    public int Count => _keys.Count;

    /// <summary>Device memory the keys hold.</summary>
    public long Bytes => _keys.Sum(k => k.Bytes);

    /// <summary>How many keys were uploaded (a hit uploads nothing).</summary>
    public int Uploads { get; private set; }

    /// <summary>The device copy of <paramref name="zkey"/>, uploading it on a miss.</summary>
    /// <param name="zkey">The key.</param>
    /// <param name="stream">The stream to copy on.</param>
    /// <param name="uploaded">True when this call uploaded it.</param>
    /// <exception cref="InvalidOperationException">The key alone is larger than the budget (the message gives both sizes).</exception>
    public GpuProvingKey Get(ZkeyFile zkey, AcceleratorStream stream, out bool uploaded)
    {
        var fingerprint = ZkeyFingerprint.Of(zkey);
        for (var node = _keys.First; node is not null; node = node.Next)
        {
            if (node.Value.Fingerprint == fingerprint)
            {
                _keys.Remove(node);
                _keys.AddFirst(node);
                uploaded = false;
                return node.Value;
            }
        }

        long need = GpuProvingKey.EstimateBytes(zkey);
        if (need > _budget)
            throw new InvalidOperationException(
                $"{zkey.Path}: its points need {need / 1048576.0:F1} MiB on the device but the GPU key budget is {_budget / 1048576.0:F1} MiB");

        // Upload first, evict after: a key that turns out malformed half-way (a point off the curve in its last section)
        // fails before any resident key is freed, so a hostile key cannot empty the cache of honest circuits' keys. The
        // budget is therefore exceeded by one key for the length of an upload; only when the device itself runs out of
        // memory are the others freed first, and then the upload is tried once more.
        GpuProvingKey key;
        try
        {
            key = GpuProvingKey.Upload(_context, zkey, stream);
        }
        catch (Exception e) when (e is AcceleratorException or OutOfMemoryException && _keys.Count > 0)
        {
            _logger.LogWarning("GPU key cache: the device has no room for {Path} ({Message}); freeing the other keys and retrying", zkey.Path, e.Message);
            while (_keys.Count > 0) EvictLeastRecentlyUsed(zkey.Path);
            key = GpuProvingKey.Upload(_context, zkey, stream);
        }
        while (_keys.Count > 0 && Bytes + key.Bytes > _budget) EvictLeastRecentlyUsed(zkey.Path);
        _keys.AddFirst(key);
        Uploads++;
        uploaded = true;
        _logger.LogInformation("GPU key cache: {Path} uploaded ({MiB:F1} MiB) in {Ms:F0} ms", zkey.Path, key.Bytes / 1048576.0, key.UploadTime.TotalMilliseconds);
        return key;
    }

    private void EvictLeastRecentlyUsed(string forPath)
    {
        var old = _keys.Last!.Value;
        _keys.RemoveLast();
        _logger.LogInformation("GPU key cache: freeing {Path} ({MiB:F1} MiB) for {New}", old.Fingerprint.FullPath, old.Bytes / 1048576.0, forPath);
        old.Dispose();
    }

    /// <summary>Frees <paramref name="key"/> if it is resident (its points are suspect: a proof with them failed to verify).</summary>
    /// <returns>True when it was resident.</returns>
    public bool Evict(GpuProvingKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!_keys.Remove(key)) return false;
        _logger.LogWarning("GPU key cache: freeing {Path}: a proof with its device copy failed self-verification", key.Fingerprint.FullPath);
        key.Dispose();
        return true;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var k in _keys) k.Dispose();
        _keys.Clear();
    }
}
