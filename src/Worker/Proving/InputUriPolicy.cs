using System.Net;
using System.Net.Sockets;
using ProverMarketChain.Worker.Configuration;

namespace ProverMarketChain.Worker.Proving;

/// <summary>
/// Which request input URIs the worker reads. A request's input URI is chosen by the requester, who may be hostile: left
/// unchecked it would make the worker read its own files (<c>file:///home/worker/.ssh/...</c>, or
/// <c>file:///dev/stdin</c>, which blocks forever), or call services that only the worker's network can reach (cloud
/// metadata at <c>169.254.169.254</c>, an admin port on <c>127.0.0.1</c>, a database on <c>10.0.0.5</c>), with the
/// input hash as an oracle on what came back.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>file://</c> is refused unless <see cref="AllowFileInputs"/>; even then only regular files are read.</item>
/// <item><c>http</c> and <c>https</c> are read, except from addresses in the loopback, private (RFC 1918), shared
/// (CGNAT, 100.64.0.0/10), link-local (169.254.0.0/16, fe80::/10), unique-local (fc00::/7), unspecified, "this network"
/// (0.0.0.0/8), multicast or reserved ranges, including those addresses written as IPv4-mapped, IPv4-compatible, NAT64
/// or 6to4 IPv6 addresses, unless the host name or the address is in <see cref="AllowedHosts"/> (a host name, an IP
/// address or a CIDR range).</item>
/// <item>Any other scheme is refused.</item>
/// </list>
/// <para>The address check runs when the connection is opened (<see cref="CreateHandler"/> installs it as the
/// handler's <see cref="SocketsHttpHandler.ConnectCallback"/>): the host is resolved once, every address it resolves to
/// is checked, and the socket connects to one of those checked addresses. A redirect to a refused address, or a DNS
/// answer that changes between a check and the connect (DNS rebinding), therefore cannot get past it, and no proxy is
/// used (a proxy would make the connection, and the check, elsewhere). A refusal is permanent
/// (<see cref="InputRejectedException"/>) and its message names the host, the address and the option that would allow
/// it.</para>
/// </remarks>
public sealed class InputUriPolicy
{
    private static readonly (IPNetwork Network, string Kind)[] Restricted =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "unspecified (\"this network\")"),
        (IPNetwork.Parse("10.0.0.0/8"), "private (RFC 1918)"),
        (IPNetwork.Parse("100.64.0.0/10"), "shared (carrier-grade NAT)"),
        (IPNetwork.Parse("127.0.0.0/8"), "loopback"),
        (IPNetwork.Parse("169.254.0.0/16"), "link-local, where cloud metadata lives"),
        (IPNetwork.Parse("172.16.0.0/12"), "private (RFC 1918)"),
        (IPNetwork.Parse("192.0.0.0/24"), "reserved (IETF protocol assignments)"),
        (IPNetwork.Parse("192.168.0.0/16"), "private (RFC 1918)"),
        (IPNetwork.Parse("198.18.0.0/15"), "reserved (benchmarking)"),
        (IPNetwork.Parse("224.0.0.0/4"), "multicast"),
        (IPNetwork.Parse("240.0.0.0/4"), "reserved (or broadcast)"),
        (IPNetwork.Parse("::/128"), "unspecified"),
        (IPNetwork.Parse("::1/128"), "loopback"),
        (IPNetwork.Parse("fe80::/10"), "link-local"),
        (IPNetwork.Parse("fec0::/10"), "site-local (deprecated)"),
        (IPNetwork.Parse("fc00::/7"), "unique-local"),
        (IPNetwork.Parse("ff00::/8"), "multicast"),
    ];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");

    private readonly HashSet<string> _hostNames = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<IPNetwork> _networks = [];

    /// <summary>Creates a policy.</summary>
    /// <param name="allowFileInputs">Whether <c>file://</c> inputs are read (regular files only).</param>
    /// <param name="allowedHosts">Host names, IP addresses and CIDR ranges that may be fetched from even though they
    /// are (or resolve to) loopback, private or link-local addresses.</param>
    /// <exception cref="ArgumentException">An entry of <paramref name="allowedHosts"/> is none of those.</exception>
    public InputUriPolicy(bool allowFileInputs = false, IEnumerable<string>? allowedHosts = null)
    {
        AllowFileInputs = allowFileInputs;
        AllowedHosts = [.. allowedHosts ?? []];
        foreach (var entry in AllowedHosts)
        {
            if (EntryProblem(entry) is { } problem) throw new ArgumentException($"allowed input host '{entry}': {problem}", nameof(allowedHosts));
            var e = Unbracket(entry.Trim());
            if (e.Contains('/')) _networks.Add(IPNetwork.Parse(e));
            else if (IPAddress.TryParse(e, out var a)) _networks.Add(new IPNetwork(Normalize(a), Normalize(a).AddressFamily == AddressFamily.InterNetwork ? 32 : 128));
            else _hostNames.Add(e.TrimEnd('.'));
        }
    }

    /// <summary>The policy the worker's configuration asks for.</summary>
    public static InputUriPolicy FromOptions(WorkerOptions options) => new(options.AllowFileInputs, options.AllowedInputHosts);

    /// <summary>Whether <c>file://</c> inputs are read.</summary>
    public bool AllowFileInputs { get; }

    /// <summary>The allow-list, as configured.</summary>
    public IReadOnlyList<string> AllowedHosts { get; }

    /// <summary>
    /// What is wrong with an <see cref="WorkerOptions.AllowedInputHosts"/> entry, or null when it is a host name, an IP
    /// address or a CIDR range (<c>10.1.0.0/16</c>, <c>fd00::/8</c>).
    /// </summary>
    public static string? EntryProblem(string? entry)
    {
        if (string.IsNullOrWhiteSpace(entry)) return "empty";
        var e = Unbracket(entry.Trim());
        if (e.Contains('/'))
        {
            if (!IPNetwork.TryParse(e, out var network) || !IPAddress.TryParse(e[..e.IndexOf('/')], out var start))
                return "not a valid CIDR range (an address and a prefix length, such as 10.1.0.0/16)";
            // A range written with host bits set (10.0.0.1/8) is most likely a typo for something narrower.
            return start.Equals(network.BaseAddress) ? null : $"not a valid CIDR range: the address has bits set past the prefix (the range starts at {network})";
        }
        if (IPAddress.TryParse(e, out _)) return null;
        return Uri.CheckHostName(e.TrimEnd('.')) == UriHostNameType.Dns ? null : "neither a host name, an IP address nor a CIDR range";
    }

    /// <summary>
    /// Whether <paramref name="address"/> is in a range the policy refuses unless allow-listed (loopback, private,
    /// link-local...), looking through IPv4-mapped, IPv4-compatible, NAT64 and 6to4 forms to the IPv4 address inside.
    /// </summary>
    public static bool IsRestricted(IPAddress address) => RestrictedKind(address) is not null;

    /// <summary>The refused range <paramref name="address"/> is in ("loopback", "private (RFC 1918)"...), or null.</summary>
    private static string? RestrictedKind(IPAddress address)
    {
        var a = Normalize(address);
        foreach (var (network, kind) in Restricted)
            if (network.Contains(a)) return kind;
        if (a.AddressFamily != AddressFamily.InterNetworkV6) return null;
        // IPv6 forms that carry an IPv4 address a host may end up reaching: ::a.b.c.d (IPv4-compatible),
        // 64:ff9b::a.b.c.d (NAT64) and 2002:aabb:ccdd::/48 (6to4).
        var b = a.GetAddressBytes();
        IPAddress? inner = b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0 || Nat64.Contains(a) ? new IPAddress(b.AsSpan(12, 4))
            : SixToFour.Contains(a) ? new IPAddress(b.AsSpan(2, 4))
            : null;
        return inner is not null && RestrictedKind(inner) is { } k ? $"{k}, inside an IPv6 address" : null;
    }

    /// <summary>Whether the host name is allow-listed (exactly, in any case, with or without a trailing dot).</summary>
    public bool IsAllowListed(string host) => _hostNames.Contains(Unbracket(host).TrimEnd('.'));

    /// <summary>Whether the address is in an allow-listed address or range.</summary>
    public bool IsAllowListed(IPAddress address)
    {
        var a = Normalize(address);
        return _networks.Any(n => n.Contains(a));
    }

    /// <summary>
    /// Refuses, before any I/O, what the URI alone shows to be refused: a scheme other than http(s) (or <c>file</c>
    /// when <see cref="AllowFileInputs"/>), a <c>file://</c> URI otherwise, a network share, and an http(s) URI whose
    /// host is a refused IP literal. Host names are checked when the connection opens (see <see cref="CreateHandler"/>).
    /// </summary>
    /// <exception cref="InputRejectedException">The URI is refused; the message says why and what would allow it.</exception>
    public void Check(Uri uri)
    {
        if (uri.IsFile)
        {
            if (!AllowFileInputs)
                throw new InputRejectedException($"input URI '{uri}' names a local file (file://), which the worker does not read for a request unless its configuration sets allowFileInputs");
            if (uri.IsUnc)
                throw new InputRejectedException($"input URI '{uri}' names a network share, which the worker does not read");
            return;
        }
        if (uri.Scheme is not ("http" or "https"))
            throw new InputRejectedException($"input URI scheme '{uri.Scheme}' is not supported ({(AllowFileInputs ? "file, " : "")}http, https)");
        var host = Unbracket(uri.Host);
        if (IPAddress.TryParse(host, out var literal)) CheckAddress(host, literal);
    }

    /// <summary>
    /// An HTTP handler that enforces this policy on every connection it opens (redirects included), uses no proxy,
    /// sends no cookies and does not decompress.
    /// </summary>
    /// <param name="connectTimeout">Longest a connection may take to open (the fetch's total deadline bounds it too).</param>
    public SocketsHttpHandler CreateHandler(TimeSpan connectTimeout) => new()
    {
        UseProxy = false,
        UseCookies = false,
        AllowAutoRedirect = true,
        MaxAutomaticRedirections = 5,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = connectTimeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        ConnectCallback = ConnectAsync,
    };

    /// <summary>Resolves the host, checks every address, and connects to a checked one.</summary>
    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = Unbracket(context.DnsEndPoint.Host);
        var port = context.DnsEndPoint.Port;
        IPAddress[] addresses = IPAddress.TryParse(host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        if (addresses.Length == 0) throw new SocketException((int)SocketError.HostNotFound);
        // Every address, not only the one connected to: a name that resolves to a public and a private address is
        // refused, so that the order of the answers cannot decide.
        foreach (var a in addresses) CheckAddress(host, a, connecting: true);

        SocketException? last = null;
        foreach (var a in addresses)
        {
            var socket = new Socket(a.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(a, port), cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last!;
    }

    private void CheckAddress(string host, IPAddress address, bool connecting = false)
    {
        if (IsAllowListed(host) || IsAllowListed(address) || RestrictedKind(address) is not { } kind) return;
        var message = IPAddress.TryParse(host, out _)
            ? $"input host {address} is in a refused range ({kind}): the worker does not fetch from it unless allowedInputHosts lists '{address}' (or a range holding it)"
            : $"input host '{host}' resolves to {address}, in a refused range ({kind}): the worker does not fetch from it unless allowedInputHosts lists '{host}' or '{address}' (or a range holding it)";
        if (connecting) throw new AddressRefusedException(message);
        throw new InputRejectedException(message);
    }

    private static IPAddress Normalize(IPAddress a) => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a;

    private static string Unbracket(string host) => host.Length > 1 && host[0] == '[' && host[^1] == ']' ? host[1..^1] : host;
}
