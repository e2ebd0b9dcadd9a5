namespace ProverMarketChain.Proving.Security;

/// <summary>The type of a file system entry, as the file-type bits of its <c>st_mode</c> give it.</summary>
public enum UnixFileKind
{
    /// <summary>A type this enumeration does not name.</summary>
    Unknown = 0,
    /// <summary>A regular file.</summary>
    Regular,
    /// <summary>A directory.</summary>
    Directory,
    /// <summary>A symbolic link (only <c>lstat</c> reports one).</summary>
    SymbolicLink,
    /// <summary>A named pipe: opening one for reading blocks until a writer appears.</summary>
    Fifo,
    /// <summary>A character device such as <c>/dev/tty</c>, <c>/dev/zero</c> or <c>/dev/urandom</c>.</summary>
    CharacterDevice,
    /// <summary>A block device.</summary>
    BlockDevice,
    /// <summary>A Unix domain socket.</summary>
    Socket,
}
