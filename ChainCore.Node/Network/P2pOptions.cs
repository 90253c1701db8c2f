namespace ChainCore.Node.Network;

/// <summary>Peer-to-peer settings, bound from the "P2p" section (<c>P2p__MaxPeers</c>, <c>--P2p:MaxPeers</c>).</summary>
public sealed class P2pOptions
{
    public const string Section = "P2p";

    /// <summary>The name of the <see cref="IHttpClientFactory"/> client every outgoing peer call goes through.</summary>
    public const string HttpClientName = "chaincore-p2p";

    /// <summary>Peers connected at most, inbound and outbound together.</summary>
    public int MaxPeers { get; set; } = 16;

    /// <summary>The node keeps connecting to known peers until it has this many.</summary>
    public int TargetPeers { get; set; } = 8;

    /// <summary>Whether peers' peer lists are used to find more peers (up to <see cref="TargetPeers"/>).</summary>
    public bool PeerExchange { get; set; } = true;

    /// <summary>How often the node asks its peers for their tips and reconnects to known peers.</summary>
    public TimeSpan TipCheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a peer that sent invalid data stays refused.</summary>
    public TimeSpan BanDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>One attempt of an outgoing call gives up after this long (wall-clock, like any socket timeout).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Attempts after the first when a call fails in transport or with a 5xx.</summary>
    public int Retries { get; set; } = 2;

    /// <summary>Wall-clock pause before a retry, doubled each time.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Announcements waiting for one peer at most; the oldest are dropped (the tip check recovers them).</summary>
    public int MaxQueuedAnnouncements { get; set; } = 2_000;

    /// <summary>Blocks downloaded at once during a catch-up.</summary>
    public int DownloadWindow { get; set; } = 8;
}
