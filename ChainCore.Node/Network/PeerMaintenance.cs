using System.Diagnostics;
using ChainCore.Core.Primitives;
using Microsoft.Extensions.Options;

namespace ChainCore.Node.Network;

/// <summary>
/// On every tick of the node's clock (<see cref="P2pOptions.TipCheckInterval"/>, so a test's clock
/// drives it): asks each peer for its tip — each on its own, so a slow peer delays no other — and
/// catches up from one that is ahead, drops peers that no longer answer, asks peers for addresses
/// while outbound slots are free, and opens outbound connections — concurrently, a few at a time,
/// each with a short timeout, apart from the tip checks — so a node that was down or cut off
/// catches up and reconnects by itself.
/// </summary>
public sealed class PeerMaintenance(
    ConnectionManager connections,
    IPeerClient client,
    PeerMessageHandler messages,
    IOptions<P2pOptions> options,
    TimeProvider clock,
    ILogger<PeerMaintenance> log) : BackgroundService
{
    private readonly HashSet<Peer> _checking = [];
    private readonly Lock _sync = new();
    private int _opening;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            StartOpening(stoppingToken);
            using var timer = new PeriodicTimer(options.Value.TipCheckInterval, clock);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Tick(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Loads the stored bans and addresses before the node answers anyone: a restarted node never lets a banned peer in for a moment.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await connections.LoadAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await connections.DisconnectAllAsync();
    }

    /// <summary>One round: a tip check for each peer not still in its last one, and connections opened while slots are free.</summary>
    public void Tick(CancellationToken ct)
    {
        foreach (var peer in connections.Peers)
        {
            lock (_sync)
            {
                if (!_checking.Add(peer))
                {
                    continue;
                }
            }

            _ = CheckPeerAsync(peer, ct);
        }

        StartOpening(ct);
    }

    private async Task CheckPeerAsync(Peer peer, CancellationToken ct)
    {
        try
        {
            var started = Stopwatch.GetTimestamp();
            var status = await client.GetStatusAsync(peer, ct);
            peer.Latency = Stopwatch.GetElapsedTime(started);
            peer.SetTip(status.TipHeight, Hash256.TryParse(status.TipHash, out var hash) ? hash : null);
            connections.RequestSyncIfAhead(peer);
            if (options.Value.PeerExchange && connections.OutboundCount < options.Value.MaxOutbound)
            {
                if (connections.Learn(await client.GetAddressesAsync(peer, ct), peer) > 0)
                {
                    StartOpening(ct);
                }
            }
        }
        catch (PeerProtocolException e)
        {
            await messages.OnProtocolViolationAsync(peer, e);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException or PeerRefusedException)
        {
            log.LogInformation("Peer {Peer} did not answer the tip check: {Reason}", peer, e.Message);
            connections.Disconnect(peer, "no answer to the tip check");

            // A peer that forgot this session (it restarted, or dropped it) is greeted again at once.
            StartOpening(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            lock (_sync)
            {
                _checking.Remove(peer);
            }
        }
    }

    /// <summary>Starts a round of connection attempts unless one is under way.</summary>
    private void StartOpening(CancellationToken ct)
    {
        if (connections.OutboundCount < options.Value.MaxOutbound && Interlocked.CompareExchange(ref _opening, 1, 0) == 0)
        {
            _ = OpenConnectionsAsync(ct);
        }
    }

    /// <summary>Connects to candidates until the outbound slots are full or none is left, a few at a time, each within the connect timeout.</summary>
    public async Task OpenConnectionsAsync(CancellationToken ct)
    {
        try
        {
            var free = options.Value.MaxOutbound - connections.OutboundCount;
            if (free <= 0)
            {
                return;
            }

            using var gate = new SemaphoreSlim(Math.Max(1, options.Value.MaxConcurrentConnects));
            var attempts = connections.Candidates(free * 2).Select(async address =>
            {
                await gate.WaitAsync(ct);
                try
                {
                    if (connections.OutboundCount >= options.Value.MaxOutbound)
                    {
                        return;
                    }

                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    timeout.CancelAfter(options.Value.ConnectTimeout);
                    await connections.ConnectAsync(address.Value, timeout.Token);
                }
                finally
                {
                    gate.Release();
                }
            });
            await Task.WhenAll(attempts);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            Volatile.Write(ref _opening, 0);
        }
    }
}
