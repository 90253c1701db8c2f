using Microsoft.Extensions.Options;

namespace ChainCore.Node.Network;

/// <summary>
/// Connects to the bootstrap nodes and stored peers at start, then on every tick of the node's
/// clock (<see cref="P2pOptions.TipCheckInterval"/>, so a test's clock drives it): asks each peer
/// for its tip and catches up from one that is ahead, drops peers that no longer answer, and
/// connects to known peers (and, with peer exchange, peers' peers) while below the target — so a
/// node that was down or cut off catches up by itself.
/// </summary>
public sealed class PeerMaintenance(
    PeerManager peers,
    PeerClient client,
    IOptions<P2pOptions> options,
    TimeProvider clock,
    ILogger<PeerMaintenance> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            await ConnectToKnownPeersAsync(stoppingToken);
            using var timer = new PeriodicTimer(options.Value.TipCheckInterval, clock);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await TickAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await peers.DisconnectAllAsync();
    }

    /// <summary>One round: tips checked, dead peers dropped, known peers connected while below the target.</summary>
    public async Task TickAsync(CancellationToken ct)
    {
        await Task.WhenAll(peers.Peers.Select(peer => CheckPeerAsync(peer, ct)));
        await ConnectToKnownPeersAsync(ct);
    }

    private async Task CheckPeerAsync(Peer peer, CancellationToken ct)
    {
        try
        {
            var status = await client.GetStatusAsync(peer.Url, ct);
            peer.SetTip(status.TipHeight, ChainCore.Core.Primitives.Hash256.TryParse(status.TipHash, out var hash) ? hash : null);
            peers.RequestSyncIfAhead(peer);
            if (options.Value.PeerExchange && peers.Count < options.Value.TargetPeers)
            {
                var list = await client.GetPeersAsync(peer.Url, ct);
                peers.Learn(list.Peers.Select(p => p.Url));
            }
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException or PeerRefusedException)
        {
            log.LogInformation("Peer {Peer} did not answer the tip check: {Reason}", peer.NodeId, e.Message);
            peers.Disconnect(peer.NodeId, "no answer to the tip check");
        }
    }

    private async Task ConnectToKnownPeersAsync(CancellationToken ct)
    {
        if (peers.Count >= options.Value.TargetPeers)
        {
            return;
        }

        foreach (var url in await peers.CandidatesAsync(ct))
        {
            if (peers.Count >= options.Value.TargetPeers)
            {
                break;
            }

            await peers.ConnectAsync(url, ct);
        }
    }
}
