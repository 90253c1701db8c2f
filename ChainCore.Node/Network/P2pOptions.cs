namespace ChainCore.Node.Network;

/// <summary>Peer-to-peer settings, bound from the "P2p" section (<c>P2p__MaxPeers</c>, <c>--P2p:MaxPeers</c>).</summary>
public sealed class P2pOptions
{
    public const string Section = "P2p";

    /// <summary>The name of the <see cref="IHttpClientFactory"/> client every outgoing peer call goes through.</summary>
    public const string HttpClientName = "chaincore-p2p";

    /// <summary>Peers connected at most, inbound and outbound together.</summary>
    public int MaxPeers { get; set; } = 16;

    /// <summary>Slots for the connections this node makes itself; inbound peers take at most the rest of <see cref="MaxPeers"/>.</summary>
    public int MaxOutbound { get; set; } = 8;

    /// <summary>Whether peers' address lists are used to find more peers.</summary>
    public bool PeerExchange { get; set; } = true;

    /// <summary>
    /// Whether addresses that are not routable on the internet (loopback, private, link-local, names)
    /// are accepted from strangers — in handshakes and address lists. Unset: true on regtest and
    /// devnet, false on main. Bootstrap nodes the operator names are always used.
    /// </summary>
    public bool? AllowPrivateAddresses { get; set; }

    /// <summary>How often the node asks its peers for their tips and opens connections while below its outbound slots.</summary>
    public TimeSpan TipCheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a peer that sent invalid data stays refused (its address, and its remote address unless local).</summary>
    public TimeSpan BanDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>One attempt of an outgoing call gives up after this long (wall-clock, like any socket timeout).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A connection attempt or a handshake's call back gives up after this long, retries included.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Connection attempts under way at once.</summary>
    public int MaxConcurrentConnects { get; set; } = 4;

    /// <summary>Inbound handshakes being confirmed at once; more are refused until one ends.</summary>
    public int MaxPendingHandshakes { get; set; } = 8;

    /// <summary>Attempts after the first when a call fails in transport or with a 5xx.</summary>
    public int Retries { get; set; } = 2;

    /// <summary>Wall-clock pause before a retry, doubled each time.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Announcements waiting for one peer at most; the oldest are dropped (the tip check recovers them).</summary>
    public int MaxQueuedAnnouncements { get; set; } = 2_000;

    /// <summary>Blocks downloaded at once during a catch-up.</summary>
    public int DownloadWindow { get; set; } = 8;

    /// <summary>Whether non-routable addresses are accepted from strangers on <paramref name="network"/>.</summary>
    public bool AllowsPrivateAddresses(string network) => AllowPrivateAddresses ?? network is "regtest" or "devnet";
}
