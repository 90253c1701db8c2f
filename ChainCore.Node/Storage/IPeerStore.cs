namespace ChainCore.Node.Storage;

/// <summary>The peers a node knows (the <c>nodes</c> table), kept across restarts.</summary>
public interface IPeerStore
{
    /// <summary>Adds the peer, or replaces what is known of the peer with the same node id.</summary>
    Task UpsertPeerAsync(PeerRecord peer, CancellationToken ct = default);

    /// <summary>Every known peer, by node id.</summary>
    Task<IReadOnlyList<PeerRecord>> GetPeersAsync(CancellationToken ct = default);
}

public sealed record PeerRecord(string NodeId, string Url, string Network, DateTimeOffset LastSeen, int Score);
