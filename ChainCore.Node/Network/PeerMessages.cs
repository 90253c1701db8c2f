namespace ChainCore.Node.Network;

/// <summary>
/// The handshake (<c>POST /peers</c>): who the node is, where it listens, which chain it follows and
/// where its tip is. The answer is the same message about the other side.
/// </summary>
public sealed record PeerHello(string? NodeId, string? Url, string? Network, string? GenesisHash, int TipHeight = -1, string? TipHash = null);

public sealed record PeerInfo(string NodeId, string Url, string Direction, DateTimeOffset ConnectedSince, int TipHeight, string? TipHash, int Score);

public sealed record PeersResponse(int Count, IReadOnlyList<PeerInfo> Peers);

/// <summary>Headers after the fork point of a block locator, oldest first, each 80 bytes as hex.</summary>
public sealed record HeadersResponse(int Count, IReadOnlyList<string> Headers);

/// <summary>What a node did with a block or transaction a peer sent: <c>accepted</c>, <c>duplicate</c> or <c>orphan</c>.</summary>
public sealed record RelayResponse(string Hash, string Status, int? Height = null);

/// <summary>HTTP header naming the sending peer of a <c>/p2p</c> message (its node id from the handshake).</summary>
public static class P2pHeaders
{
    public const string PeerId = "ChainCore-Peer-Id";
}

/// <summary>Problem codes of the peer endpoints.</summary>
public static class PeerCodes
{
    public const string WrongNetwork = "wrong-network";
    public const string WrongGenesis = "wrong-genesis";
    public const string SelfConnection = "self-connection";
    public const string PeerBanned = "peer-banned";
    public const string PeerUnknown = "peer-unknown";
    public const string TooManyPeers = "too-many-peers";
    public const string NodeStopping = "node-stopping";
    public const string BadHeaders = "bad-headers";
    public const string UnexpectedBlock = "unexpected-block";
}
