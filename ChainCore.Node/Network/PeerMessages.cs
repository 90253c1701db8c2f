namespace ChainCore.Node.Network;

/// <summary>
/// The handshake (<c>POST /peers</c>) from the side that connects: a display name, the address it
/// listens on (<c>scheme://host:port</c>, which the other side calls back before believing it), its
/// chain and tip, and a nonce that only the real owner of that address can confirm.
/// </summary>
public sealed record PeerHello(string? NodeId, string? Url, string? Network, string? GenesisHash, int TipHeight = -1, string? TipHash = null, string? Nonce = null);

/// <summary>
/// The answer to a handshake that succeeded: the same facts about the answering node, and the
/// session token the connecting side must send with every <c>/p2p</c> call to it.
/// </summary>
public sealed record PeerWelcome(string NodeId, string Url, string Network, string GenesisHash, int TipHeight, string TipHash, string Session);

/// <summary>The call back (<c>POST /peers/confirm</c>): the node that received a handshake asks the claimed address to confirm its nonce.</summary>
public sealed record PeerConfirmRequest(string? Nonce, string? NodeId);

/// <summary>The confirmation: the session token the node that called back must send with every <c>/p2p</c> call to the confirming node.</summary>
public sealed record PeerConfirmation(string Session);

/// <summary>
/// An announcement (<c>POST /p2p/announce</c>): new blocks by their 80-byte headers, hex (BIP 130),
/// and new transactions by txid. The receiver fetches what it lacks, once.
/// </summary>
public sealed record InventoryMessage(IReadOnlyList<string>? Headers, IReadOnlyList<string>? TxIds);

public sealed record PeerInfo(
    string NodeId,
    string Url,
    string Direction,
    DateTimeOffset ConnectedSince,
    int TipHeight,
    string? TipHash,
    int Score,
    string? RemoteAddress = null,
    double? LatencyMs = null,
    DateTimeOffset? LastBlockAt = null);

public sealed record PeersResponse(int Count, IReadOnlyList<PeerInfo> Peers);

/// <summary>Addresses a node has connected to (its tried table), for peers looking for more peers.</summary>
public sealed record AddressesResponse(int Count, IReadOnlyList<string> Addresses);

public sealed record BanInfo(string Target, DateTimeOffset Until, string Reason);

public sealed record BannedResponse(int Count, IReadOnlyList<BanInfo> Banned);

/// <summary>Headers after the fork point of a block locator, oldest first, each 80 bytes as hex.</summary>
public sealed record HeadersResponse(int Count, IReadOnlyList<string> Headers);

/// <summary>What a node did with what a peer announced.</summary>
public sealed record RelayResponse(string Hash, string Status, int? Height = null);

/// <summary>HTTP header carrying the session token of a <c>/p2p</c> call (issued in the handshake).</summary>
public static class P2pHeaders
{
    public const string Session = "ChainCore-Session";
}

/// <summary>Problem codes of the peer endpoints.</summary>
public static class PeerCodes
{
    public const string WrongNetwork = "wrong-network";
    public const string WrongGenesis = "wrong-genesis";
    public const string SelfConnection = "self-connection";
    public const string PeerBanned = "peer-banned";
    public const string NoSession = "no-session";
    public const string TooManyPeers = "too-many-peers";
    public const string NodeStopping = "node-stopping";
    public const string BadAddress = "bad-address";
    public const string AddressNotAllowed = "address-not-allowed";
    public const string AddressUnconfirmed = "address-unconfirmed";
    public const string UnknownNonce = "unknown-nonce";
    public const string BadHeaders = "bad-headers";
    public const string TooManyHeaders = "too-many-headers";
    public const string UnexpectedBlock = "unexpected-block";
    public const string OversizedAnswer = "oversized-answer";
    public const string MalformedAnswer = "malformed-answer";
    public const string HandshakeBusy = "handshake-busy";
    public const string DuplicateConnection = "duplicate-connection";
}
