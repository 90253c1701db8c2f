using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;

namespace ChainCore.Node.Network;

/// <summary>
/// Headers-first catch-up, one session at a time (from <see cref="SyncQueue"/>): ask the peer for the
/// headers after this node's block locator, check that they chain and carry their proof of work,
/// then — only if they lead to more work than this node's tip — download the blocks this node lacks,
/// a few at once, processed in order, until the peer has nothing more. What breaks the rules is
/// charged through <see cref="PeerMessageHandler"/>; a peer that cannot be reached is left to the tip check.
/// </summary>
public sealed class BlockSync(
    ChainEngine chain,
    ConnectionManager connections,
    IPeerClient client,
    PeerMessageHandler messages,
    SyncQueue queue,
    Microsoft.Extensions.Options.IOptions<P2pOptions> options,
    ILogger<BlockSync> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            Peer peer;
            try
            {
                peer = await queue.NextAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (peer.IsClosed)
            {
                continue;
            }

            try
            {
                await SyncFromAsync(peer, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (PeerProtocolException e)
            {
                await messages.OnProtocolViolationAsync(peer, e);
            }
            catch (Exception e) when (e is HttpRequestException or TimeoutException or PeerRefusedException)
            {
                log.LogInformation("Catch-up from {Peer} stopped: {Reason}", peer, e.Message);
            }
        }
    }

    /// <summary>Catches up from <paramref name="peer"/>; returns the number of blocks it gave that this node accepted.</summary>
    public async Task<int> SyncFromAsync(Peer peer, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(peer);
        var accepted = 0;
        Hash256? continueFrom = null;
        while (!peer.IsClosed && connections.FindBySession(peer.SessionIn) is not null)
        {
            var locator = BlockLocator.Build(chain.ActiveChain);
            if (continueFrom is { } last)
            {
                locator = [last, .. locator.Take(BlockLocator.MaxEntries - 1)];
            }

            var headers = await client.GetHeadersAsync(peer, locator, ct);
            if (headers.Count == 0 || !await messages.OnHeadersAsync(peer, headers))
            {
                break;
            }

            if (chain.GetEntry(headers[0].PreviousHash) is not { } fork)
            {
                log.LogInformation("Headers from {Peer} do not connect to this node's chain; stopping the catch-up", peer);
                break;
            }

            var work = fork.ChainWork + headers.Aggregate(System.Numerics.BigInteger.Zero, (sum, h) => sum + Target.GetBlockWork(h.Bits));
            var missing = headers.Select(h => h.GetHash()).Where(h => chain.GetEntry(h) is null).ToList();
            peer.SetTip(fork.Height + headers.Count, headers[^1].GetHash());
            if (missing.Count > 0 && work <= chain.Tip.ChainWork && headers.Count < BlockLocator.MaxHeaders)
            {
                // A branch with no more work than this node's tip: nothing worth downloading.
                log.LogDebug("Headers from {Peer} lead to no more work than the tip; not downloading", peer);
                break;
            }

            if (missing.Count > 0)
            {
                log.LogInformation("Catching up {Count} blocks from {Peer} (headers up to height {Height})", missing.Count, peer, fork.Height + headers.Count);
            }

            var (downloaded, ok) = await DownloadAsync(peer, missing, ct);
            accepted += downloaded;
            if (!ok || headers.Count < BlockLocator.MaxHeaders || (missing.Count == 0 && continueFrom == headers[^1].GetHash()))
            {
                break;
            }

            continueFrom = headers[^1].GetHash();
        }

        return accepted;
    }

    private async Task<(int Accepted, bool Ok)> DownloadAsync(Peer peer, List<Hash256> hashes, CancellationToken ct)
    {
        var window = Math.Max(1, options.Value.DownloadWindow);
        var pending = new Queue<(Hash256 Hash, Task<Block?> Block)>();
        var next = 0;
        var accepted = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        try
        {
            while (next < hashes.Count || pending.Count > 0)
            {
                while (next < hashes.Count && pending.Count < window)
                {
                    var hash = hashes[next++];
                    pending.Enqueue((hash, client.GetBlockAsync(peer, hash, stop.Token)));
                }

                var (expected, download) = pending.Dequeue();
                Block? block;
                try
                {
                    block = await download;
                }
                catch (PeerProtocolException e)
                {
                    await messages.OnProtocolViolationAsync(peer, e);
                    return (accepted, false);
                }

                if (block is null)
                {
                    log.LogInformation("Peer {Peer} no longer has block {Hash}", peer, expected);
                    return (accepted, false);
                }

                if (block.Hash != expected)
                {
                    await connections.MisbehavingAsync(peer, ValidationResult.Invalid(PeerCodes.UnexpectedBlock, $"Asked for block {expected}, got {block.Hash}."));
                    return (accepted, false);
                }

                var (result, keepGoing) = await messages.OnBlockAsync(peer, block, requested: true, ct);
                if (!keepGoing)
                {
                    return (accepted, false);
                }

                if (result.Status == BlockStatus.Accepted)
                {
                    accepted++;
                }
            }

            return (accepted, true);
        }
        finally
        {
            await stop.CancelAsync();
            foreach (var (_, download) in pending)
            {
                try
                {
                    await download;
                }
                catch (Exception e) when (e is OperationCanceledException or HttpRequestException or TimeoutException or PeerRefusedException or PeerProtocolException)
                {
                    // Downloads abandoned with the catch-up: their outcome no longer matters.
                }
            }
        }
    }
}
