using System.Buffers.Binary;

namespace ProverMarketChain.Proving.Formats;

/// <summary>
/// Writer for the iden3 binary container (see <see cref="BinFile"/>). Sections are written sequentially; each section's
/// size is patched in when it is ended.
/// </summary>
public sealed class BinFileWriter : IDisposable
{
    private readonly FileStream _stream;
    private long _sizePos = -1;
    private readonly byte[] _scratch = new byte[8];

    /// <summary>Creates (or overwrites) <paramref name="path"/> and writes the container header.</summary>
    public BinFileWriter(string path, string magic, uint version, uint sectionCount)
    {
        if (magic is not { Length: 4 }) throw new ArgumentException("magic must be 4 ASCII characters", nameof(magic));
        Path = path;
        try
        {
            _stream = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DirectoryNotFoundException)
        {
            throw new ProvingFormatException(path, $"cannot create: {e.Message}", e);
        }

        for (int i = 0; i < 4; i++) _stream.WriteByte((byte)magic[i]);
        WriteU32(version);
        WriteU32(sectionCount);
    }

    /// <summary>Destination path.</summary>
    public string Path { get; }

    /// <summary>Starts a section of the given type.</summary>
    public void BeginSection(uint type)
    {
        if (_sizePos >= 0) throw new InvalidOperationException("a section is already open");
        WriteU32(type);
        _sizePos = _stream.Position;
        WriteU64(0);
    }

    /// <summary>Ends the open section, patching its size.</summary>
    public void EndSection()
    {
        if (_sizePos < 0) throw new InvalidOperationException("no section is open");
        long end = _stream.Position;
        _stream.Position = _sizePos;
        WriteU64((ulong)(end - _sizePos - 8));
        _stream.Position = end;
        _sizePos = -1;
    }

    /// <summary>Writes raw bytes.</summary>
    public void Write(ReadOnlySpan<byte> bytes) => _stream.Write(bytes);

    /// <summary>Writes a little-endian u32.</summary>
    public void WriteU32(uint v)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_scratch, v);
        _stream.Write(_scratch, 0, 4);
    }

    /// <summary>Writes a little-endian u64.</summary>
    public void WriteU64(ulong v)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(_scratch, v);
        _stream.Write(_scratch, 0, 8);
    }

    /// <summary>Writes a non-negative integer as <paramref name="byteLength"/> little-endian bytes.</summary>
    public void WriteBigInteger(System.Numerics.BigInteger v, int byteLength)
    {
        Span<byte> b = stackalloc byte[byteLength];
        b.Clear();
        if (v.Sign < 0 || !v.TryWriteBytes(b, out _, isUnsigned: true, isBigEndian: false))
            throw new ArgumentOutOfRangeException(nameof(v), $"value does not fit in {byteLength} bytes");
        _stream.Write(b);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stream.Flush();
        _stream.Dispose();
    }
}
