namespace ChainCore.Node.Storage;

/// <summary>The <c>nodes</c> table of a <see cref="SqlChainStore"/>'s database.</summary>
internal sealed class SqlPeerStore(SqlChainStore database) : IPeerStore
{
    public async Task UpsertPeerAsync(PeerRecord peer, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(peer);
        using var _ = await database.EnterWriteAsync(ct);
        await using var connection = await database.OpenAsync(ct);
        await database.ExecuteAsync(connection, null,
            "insert into nodes (node_id, url, network, last_seen, score) values (@id, @url, @network, @seen, @score) "
            + "on conflict (node_id) do update set url = excluded.url, network = excluded.network, last_seen = excluded.last_seen, score = excluded.score",
            ct, ("id", peer.NodeId), ("url", peer.Url), ("network", peer.Network), ("seen", peer.LastSeen.ToUnixTimeSeconds()), ("score", peer.Score));
    }

    public async Task<IReadOnlyList<PeerRecord>> GetPeersAsync(CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = database.Command(connection, null, "select node_id, url, network, last_seen, score from nodes order by node_id");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var peers = new List<PeerRecord>();
        while (await reader.ReadAsync(ct))
        {
            peers.Add(new PeerRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(3)), reader.GetInt32(4)));
        }

        return peers;
    }
}
