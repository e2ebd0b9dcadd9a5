using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace ProverMarketChain.Proving.Formats;

/// <summary>Location of one section inside an iden3 binary container.</summary>
/// <param name="Type">Section type id.</param>
/// <param name="Offset">Absolute file offset of the section payload.</param>
/// <param name="Size">Payload size in bytes.</param>
public readonly record struct BinSection(uint Type, long Offset, long Size);

/// <summary>
/// Reader for the iden3 "binfile" container used by snarkjs and circom (<c>.zkey</c>, <c>.wtns</c>, <c>.r1cs</c>,
/// <c>.ptau</c>): a 4-byte magic, a u32 version, a u32 section count, then <c>(u32 type, u64 size, payload)</c> records,
/// all little-endian. Sections are read on demand with positional reads, so a large file is never loaded whole.
/// </summary>
public sealed class BinFile : IDisposable
{
    private readonly SafeFileHandle _handle;
    // Every section in file order. A plain array searched linearly (files have a dozen sections): the framework's
    // generic collections over this struct would be jitted at start-up, ReadyToRun cannot precompile them here.
    private BinSection[] _sections = new BinSection[16];
    private int _sectionCount;

    private BinFile(string path, SafeFileHandle handle, long length, uint version)
    {
        Path = path;
        _handle = handle;
        Length = length;
        Version = version;
    }

    /// <summary>Path the container was opened from (used in error messages).</summary>
    public string Path { get; }

    /// <summary>File length in bytes.</summary>
    public long Length { get; }

    /// <summary>Container version.</summary>
    public uint Version { get; }

    /// <summary>
    /// Opens <paramref name="path"/>, checks its magic and version, and indexes its sections.
    /// </summary>
    /// <exception cref="ProvingFormatException">The file is missing, unreadable, of another type, or truncated.</exception>
    public static BinFile Open(string path, string magic, uint maxVersion)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (magic is not { Length: 4 }) throw new ArgumentException("magic must be 4 ASCII characters", nameof(magic));
        if (!File.Exists(path)) throw new ProvingFormatException(path, "file not found");
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ProvingFormatException(path, $"cannot open: {e.Message}", e);
        }

        try
        {
            long length = RandomAccess.GetLength(handle);
            Span<byte> head = stackalloc byte[12];
            if (length < 12 || RandomAccess.Read(handle, head, 0) != 12)
                throw new ProvingFormatException(path, $"not a {magic} file (too short: {length} bytes)");
            for (int i = 0; i < 4; i++)
            {
                if (head[i] != (byte)magic[i])
                    throw new ProvingFormatException(path, $"not a {magic} file (magic is \"{Printable(head[..4])}\")");
            }

            uint version = BinaryPrimitives.ReadUInt32LittleEndian(head[4..]);
            if (version == 0 || version > maxVersion)
                throw new ProvingFormatException(path, $"unsupported {magic} version {version} (supported: 1..{maxVersion})");
            uint count = BinaryPrimitives.ReadUInt32LittleEndian(head[8..]);
            var file = new BinFile(path, handle, length, version);
            long pos = 12;
            Span<byte> rec = stackalloc byte[12];
            for (uint s = 0; s < count; s++)
            {
                if (pos + 12 > length || RandomAccess.Read(handle, rec, pos) != 12)
                    throw new ProvingFormatException(path, $"truncated: header of section {s + 1}/{count} lies past the end of the file");
                uint type = BinaryPrimitives.ReadUInt32LittleEndian(rec);
                ulong size = BinaryPrimitives.ReadUInt64LittleEndian(rec[4..]);
                pos += 12;
                if (size > (ulong)(length - pos))
                    throw new ProvingFormatException(path, $"truncated: section {type} declares {size} bytes but only {length - pos} remain");
                file.AddSection(new BinSection(type, pos, (long)size));
                pos += (long)size;
            }

            return file;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static string Printable(ReadOnlySpan<byte> b)
    {
        var chars = new char[b.Length];
        for (int i = 0; i < b.Length; i++) chars[i] = b[i] is >= 0x20 and < 0x7f ? (char)b[i] : '?';
        return new string(chars);
    }

    /// <summary>True when a section of <paramref name="type"/> exists.</summary>
    public bool HasSection(uint type) => CountSections(type, out _) != 0;

    /// <summary>The unique section of <paramref name="type"/>.</summary>
    /// <exception cref="ProvingFormatException">The section is missing or duplicated.</exception>
    public BinSection Section(uint type)
    {
        int n = CountSections(type, out var first);
        if (n == 0) throw Error($"missing section {type}");
        if (n != 1) throw Error($"section {type} appears {n} times");
        return first;
    }

    private void AddSection(in BinSection section)
    {
        if (_sectionCount == _sections.Length)
        {
            var grown = new BinSection[2 * _sections.Length];
            for (int i = 0; i < _sectionCount; i++) grown[i] = _sections[i];
            _sections = grown;
        }
        _sections[_sectionCount++] = section;
    }

    private int CountSections(uint type, out BinSection first)
    {
        first = default;
        int n = 0;
        for (int i = 0; i < _sectionCount; i++)
        {
            if (_sections[i].Type != type) continue;
            if (n++ == 0) first = _sections[i];
        }
        return n;
    }

    /// <summary>The unique section of <paramref name="type"/>, checking it has exactly <paramref name="expectedSize"/> bytes.</summary>
    public BinSection Section(uint type, long expectedSize, string what)
    {
        var s = Section(type);
        if (s.Size != expectedSize)
            throw Error($"section {type} ({what}) has {s.Size} bytes, expected {expectedSize}");
        return s;
    }

    /// <summary>Reads exactly <c>dst.Length</c> bytes starting at <paramref name="offset"/> bytes into the section.</summary>
    public void Read(in BinSection section, long offset, Span<byte> dst)
    {
        if (offset < 0 || offset + dst.Length > section.Size)
            throw Error($"read of {dst.Length} bytes at {offset} is outside section {section.Type} ({section.Size} bytes)");
        long abs = section.Offset + offset;
        while (!dst.IsEmpty)
        {
            int n = RandomAccess.Read(_handle, dst, abs);
            if (n <= 0) throw Error($"unexpected end of file in section {section.Type}");
            dst = dst[n..];
            abs += n;
        }
    }

    /// <summary>Reads a whole (small) section into a new array.</summary>
    public byte[] ReadAll(in BinSection section)
    {
        if (section.Size > Array.MaxLength) throw Error($"section {section.Type} is too large to load at once ({section.Size} bytes)");
        var buf = GC.AllocateUninitializedArray<byte>((int)section.Size);
        Read(section, 0, buf);
        return buf;
    }

    /// <summary>Builds a <see cref="ProvingFormatException"/> naming this file.</summary>
    public ProvingFormatException Error(string problem) => new(Path, problem);

    /// <inheritdoc />
    public void Dispose() => _handle.Dispose();
}
