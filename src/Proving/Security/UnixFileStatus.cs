using System.Runtime.InteropServices;

namespace ProverMarketChain.Proving.Security;

/// <summary>
/// What <c>stat(2)</c> or <c>lstat(2)</c> says about a path: its type, permission bits and owner. The BCL exposes the
/// permission bits (<see cref="File.GetUnixFileMode(string)"/>) but neither the type nor the owner, and both matter
/// before opening a path someone else named (a FIFO blocks the reader forever) or trusting a file someone else could
/// have replaced.
/// </summary>
/// <remarks>
/// Reads the status through the runtime's own native shim (<c>libSystem.Native</c>, <c>SystemNative_Stat</c> and
/// <c>SystemNative_LStat</c>), whose <c>FileStatus</c> record has the same layout on every Unix and architecture, unlike
/// libc's <c>struct stat</c>: <c>int32 Flags</c>, <c>int32 Mode</c>, <c>uint32 Uid</c>, <c>uint32 Gid</c>, then 64-bit
/// fields. Only <c>Mode</c> and <c>Uid</c> are read; the buffer is larger than the record so that fields a later
/// runtime appends cannot overrun it.
/// </remarks>
/// <param name="Kind">File type.</param>
/// <param name="Permissions">Permission bits, including set-user-id, set-group-id and sticky.</param>
/// <param name="OwnerId">The owner's user id.</param>
public readonly record struct UnixFileStatus(UnixFileKind Kind, UnixFileMode Permissions, uint OwnerId)
{
    private const int BufferSize = 512;
    private const int ModeOffset = 4;
    private const int UidOffset = 8;

    /// <summary>The process's effective user id (0 on Windows, which has none).</summary>
    public static uint CurrentUserId => OperatingSystem.IsWindows() ? 0 : NativeMethods.GetEUid();

    /// <summary>Whether this platform reports file status (every Unix; not Windows).</summary>
    public static bool IsSupported => !OperatingSystem.IsWindows();

    /// <summary>
    /// The status of <paramref name="path"/>, or null when it does not exist (or this platform has no file status,
    /// see <see cref="IsSupported"/>).
    /// </summary>
    /// <param name="path">The path.</param>
    /// <param name="followLinks">True for <c>stat</c> (the link's target), false for <c>lstat</c> (the link itself).</param>
    /// <exception cref="IOException">The status could not be read for another reason than the path being absent.</exception>
    public static unsafe UnixFileStatus? Get(string path, bool followLinks)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!IsSupported) return null;
        byte* buffer = stackalloc byte[BufferSize];
        new Span<byte>(buffer, BufferSize).Clear();
        int rc = followLinks ? NativeMethods.Stat(path, buffer) : NativeMethods.LStat(path, buffer);
        if (rc != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            // ENOENT and ENOTDIR (a path component is a file) are "not there" on every Unix the runtime supports.
            if (error is 2 or 20) return null;
            throw new IOException($"cannot read the status of '{path}': {Marshal.GetPInvokeErrorMessage(error)}");
        }
        int mode = *(int*)(buffer + ModeOffset);
        uint uid = *(uint*)(buffer + UidOffset);
        return new UnixFileStatus(KindOf(mode), (UnixFileMode)(mode & 0xFFF), uid);
    }

    /// <summary>A short description of the type, for messages ("a FIFO", "a directory").</summary>
    public string KindDescription => Kind switch
    {
        UnixFileKind.Regular => "a regular file",
        UnixFileKind.Directory => "a directory",
        UnixFileKind.SymbolicLink => "a symbolic link",
        UnixFileKind.Fifo => "a FIFO (named pipe)",
        UnixFileKind.CharacterDevice => "a character device",
        UnixFileKind.BlockDevice => "a block device",
        UnixFileKind.Socket => "a socket",
        _ => "a special file",
    };

    // The shim's S_IF* values (pal_io.h), not the platform's: the shim translates them.
    private static UnixFileKind KindOf(int mode) => (mode & 0xF000) switch
    {
        0x8000 => UnixFileKind.Regular,
        0x4000 => UnixFileKind.Directory,
        0xA000 => UnixFileKind.SymbolicLink,
        0x1000 => UnixFileKind.Fifo,
        0x2000 => UnixFileKind.CharacterDevice,
        0x6000 => UnixFileKind.BlockDevice,
        0xC000 => UnixFileKind.Socket,
        _ => UnixFileKind.Unknown,
    };

    private static unsafe class NativeMethods
    {
        private const string Lib = "libSystem.Native";

        [DllImport(Lib, EntryPoint = "SystemNative_Stat", SetLastError = true)]
        public static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte* output);

        [DllImport(Lib, EntryPoint = "SystemNative_LStat", SetLastError = true)]
        public static extern int LStat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte* output);

        [DllImport(Lib, EntryPoint = "SystemNative_GetEUid")]
        public static extern uint GetEUid();
    }
}
