using ChainCore.Core.Api;
using ChainCore.Core.Primitives;

namespace ChainCore.Node.Network;

/// <summary>
/// Every call this node makes to another node (<see cref="PeerClient"/> over HTTP). Transport
/// failures surface as <see cref="HttpRequestException"/> or <see cref="TimeoutException"/>, refusals
/// as <see cref="PeerRefusedException"/>, and an answer over its cap or malformed as
/// <see cref="PeerProtocolException"/> — misbehaviour of the peer.
/// </summary>
public interface IPeerClient
{
    Task<PeerWelcome> HandshakeAsync(PeerAddress address, PeerHello hello, CancellationToken ct);

    /// <summary>Asks the node at <paramref name="address"/> to confirm the nonce of the handshake it sent.</summary>
    Task<PeerConfirmation> ConfirmAsync(PeerAddress address, PeerConfirmRequest confirm, CancellationToken ct);

    Task<StatusResponse> GetStatusAsync(Peer peer, CancellationToken ct);

    Task<IReadOnlyList<string>> GetAddressesAsync(Peer peer, CancellationToken ct);

    /// <summary>Announces blocks by header and transactions by id.</summary>
    Task AnnounceAsync(Peer peer, IReadOnlyList<BlockHeader> headers, IReadOnlyList<Hash256> txids, CancellationToken ct);

    Task<IReadOnlyList<BlockHeader>> GetHeadersAsync(Peer peer, IReadOnlyList<Hash256> locator, CancellationToken ct);

    /// <summary>The block with <paramref name="hash"/>, or null if the peer does not have it.</summary>
    Task<Block?> GetBlockAsync(Peer peer, Hash256 hash, CancellationToken ct);

    /// <summary>The mempool transaction with <paramref name="txid"/>, or null if the peer does not have it.</summary>
    Task<Transaction?> GetTransactionAsync(Peer peer, Hash256 txid, CancellationToken ct);
}
