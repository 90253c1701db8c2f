using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace ChainCore.Node.Network;

/// <summary>
/// Where a node listens: <c>scheme://host:port</c> and nothing else (no path, query, fragment or
/// user info), so that a stranger can make this node call one thing there — the confirmation of a
/// handshake — and no other URL. Shown and compared in one canonical form.
/// </summary>
public sealed record PeerAddress
{
    private PeerAddress(Uri uri)
    {
        Uri = uri;
        Value = uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant();
        Ip = IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) ? ip : null;
    }

    public Uri Uri { get; }

    /// <summary>The canonical form, e.g. <c>http://127.0.0.1:5001</c> (a default port is left out).</summary>
    public string Value { get; }

    public string Host => Uri.Host;

    /// <summary>The host as an IP address, when it is one (not a name).</summary>
    public IPAddress? Ip { get; }

    /// <summary>
    /// An IP address on the public internet. Loopback, private, link-local, shared, unspecified and
    /// multicast addresses are not, and neither is a name: where a name points is for a resolver to
    /// say, and it may say a private address.
    /// </summary>
    public bool IsRoutable => Ip is { } ip && IsRoutableIp(ip);

    /// <summary>The group an address belongs to for diversity: an IPv4 /16, an IPv6 /32, or the host name.</summary>
    public string Group => GroupOf(Ip, Host);

    public static bool TryParse(string? text, [NotNullWhen(true)] out PeerAddress? address, out string error)
    {
        address = null;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 300)
        {
            error = "The address must be scheme://host:port, at most 300 characters.";
            return false;
        }

        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host))
        {
            error = $"'{Shorten(text)}' is not an http or https address (scheme://host:port).";
            return false;
        }

        if (uri.UserInfo.Length > 0 || uri.AbsolutePath is not ("/" or "") || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            error = $"'{Shorten(text)}' has a path, query, fragment or user info; a peer's address is scheme://host:port only.";
            return false;
        }

        address = new PeerAddress(uri);
        error = string.Empty;
        return true;
    }

    public static PeerAddress Parse(string text) =>
        TryParse(text, out var address, out var error) ? address : throw new FormatException(error);

    public static bool IsRoutableIp(IPAddress ip)
    {
        ArgumentNullException.ThrowIfNull(ip);
        if (ip.IsIPv4MappedToIPv6)
        {
            ip = ip.MapToIPv4();
        }

        if (IPAddress.IsLoopback(ip) || ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any) || ip.Equals(IPAddress.Broadcast))
        {
            return false;
        }

        if (ip.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = ip.GetAddressBytes();
            return !(b[0] == 0 || b[0] == 10 || (b[0] == 100 && b[1] >= 64 && b[1] < 128) || (b[0] == 169 && b[1] == 254)
                || (b[0] == 172 && b[1] >= 16 && b[1] < 32) || (b[0] == 192 && b[1] == 168) || b[0] >= 224);
        }

        return !(ip.IsIPv6LinkLocal || ip.IsIPv6SiteLocal || ip.IsIPv6UniqueLocal || ip.IsIPv6Multicast);
    }

    /// <summary>Whether a connection's remote address is this machine or unknown (an in-memory host): such peers are never banned by address.</summary>
    public static bool IsLocal(IPAddress? remote) => remote is null || IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote);

    public static string GroupOf(IPAddress? ip, string host)
    {
        if (ip is null)
        {
            return host.ToLowerInvariant();
        }

        if (ip.IsIPv4MappedToIPv6)
        {
            ip = ip.MapToIPv4();
        }

        var b = ip.GetAddressBytes();
        return ip.AddressFamily == AddressFamily.InterNetwork ? $"{b[0]}.{b[1]}" : Convert.ToHexStringLower(b.AsSpan(0, 4));
    }

    public bool Equals(PeerAddress? other) => other is not null && string.Equals(Value, other.Value, StringComparison.Ordinal);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    public override string ToString() => Value;

    private static string Shorten(string text) => text.Length > 80 ? text[..80] + "…" : text;
}
