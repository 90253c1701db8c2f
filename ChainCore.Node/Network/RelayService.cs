using ChainCore.Node.Chain;

namespace ChainCore.Node.Network;

/// <summary>
/// Reads the engine's change channel (off the writer's path) and announces every newly connected
/// block and newly accepted transaction to every peer but the one that sent it. A subscriber that
/// falls behind loses the oldest events; the peers' tip checks recover what was not announced.
/// </summary>
public sealed class RelayService(ChainEngine chain, PeerManager peers, RelaySources sources, ILogger<RelayService> log) : BackgroundService
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
                        peers.Announce(new BlockAnnouncement(connected.Block), sources.SourceOf(connected.Block.Hash));
                        break;
                    case TransactionAccepted accepted:
                        peers.Announce(new TransactionAnnouncement(accepted.Transaction), sources.SourceOf(accepted.Transaction.TxId));
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
}
