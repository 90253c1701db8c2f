using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;

namespace ChainCore.Node.Network;

/// <summary>
/// Reads the engine's change channel (off the writer's path) and announces every newly connected
/// block by its header (BIP 130) and every newly accepted transaction by its id to each peer not
/// known to have it — never back to the sender. Each peer's announcements go out in order from its
/// own outbox, batched; the peer fetches what it lacks. A subscriber that falls behind loses the
/// oldest events; the peers' tip checks recover what was not announced.
/// </summary>
public sealed class RelayService(ChainEngine chain, ConnectionManager connections, IPeerClient client, ILogger<RelayService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = chain.Events.Subscribe(10_000);
        long dropped = 0;
        try
        {
            await foreach (var change in subscription.Reader.ReadAllAsync(stoppingToken))
            {
                switch (change)
                {
                    case BlockConnected connected:
                        Announce(connected.Block.Hash, new BlockAnnouncement(connected.Block.Header));
                        break;
                    case TransactionAccepted accepted:
                        Announce(accepted.Transaction.TxId, new TransactionAnnouncement(accepted.Transaction.TxId));
                        break;
                }

                if (subscription.Dropped != dropped)
                {
                    dropped = subscription.Dropped;
                    log.LogWarning("Relay fell behind the chain's changes; {Dropped} were not announced (peers' tip checks catch up)", dropped);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Queues <paramref name="announcement"/> for every peer not known to have <paramref name="hash"/>.</summary>
    public void Announce(Hash256 hash, Announcement announcement)
    {
        foreach (var peer in connections.Peers)
        {
            if (!peer.Known.Contains(hash))
            {
                peer.Enqueue(announcement, SendLoopAsync);
            }
        }
    }

    private async Task SendLoopAsync(Peer peer)
    {
        var ct = peer.Stopping.Token;
        // A header that does not follow the one before it waits for the next message (see below).
        Announcement? held = null;
        try
        {
            while (held is not null || await peer.Outbox.WaitToReadAsync(ct))
            {
                var headers = new List<BlockHeader>();
                var txids = new List<Hash256>();
                while (headers.Count < PeerWire.MaxAnnouncedHeaders && txids.Count < PeerWire.MaxAnnouncedTransactions)
                {
                    Announcement? next = held;
                    held = null;
                    if (next is null && !peer.Outbox.TryRead(out next))
                    {
                        break;
                    }

                    var hash = next switch
                    {
                        BlockAnnouncement b => b.Header.GetHash(),
                        TransactionAnnouncement t => t.TxId,
                        _ => throw new InvalidOperationException($"Unknown announcement {next}."),
                    };
                    if (peer.Known.Contains(hash))
                    {
                        continue;
                    }

                    // The headers of one message must chain, or the peer rightly bans us for a broken
                    // sequence. After a reorg (or a header the peer has, skipped above) the next one may
                    // not follow the last: it starts the next message.
                    if (next is BlockAnnouncement { Header: var header } && headers.Count > 0 && header.PreviousHash != headers[^1].GetHash())
                    {
                        held = next;
                        break;
                    }

                    peer.Known.Add(hash);
                    if (next is BlockAnnouncement block)
                    {
                        headers.Add(block.Header);
                    }
                    else
                    {
                        txids.Add(hash);
                    }
                }

                if ((headers.Count > 0 || txids.Count > 0) && !await SendAsync(peer, headers, txids, ct))
                {
                    connections.Disconnect(peer, "unreachable");
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>Sends one announcement; false when the peer cannot be reached or no longer knows this session.</summary>
    private async Task<bool> SendAsync(Peer peer, IReadOnlyList<BlockHeader> headers, IReadOnlyList<Hash256> txids, CancellationToken ct)
    {
        try
        {
            await client.AnnounceAsync(peer, headers, txids, ct);
            return true;
        }
        catch (PeerRefusedException e) when (e.Status == StatusCodes.Status401Unauthorized)
        {
            log.LogInformation("Peer {Peer} no longer knows this node's session", peer);
            return false;
        }
        catch (PeerRefusedException e)
        {
            log.LogDebug("Peer {Peer} refused an announcement: {Reason}", peer, e.Message);
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException or PeerProtocolException)
        {
            log.LogInformation("Peer {Peer} is unreachable: {Reason}", peer, e.Message);
            return false;
        }
    }
}
