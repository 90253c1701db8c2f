using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;

namespace ChainCore.Node.Network;

/// <summary>
/// Headers-first catch-up, one peer at a time (from <see cref="SyncQueue"/>): ask the peer for the
/// headers after this node's block locator, check that they chain and carry their proof of work,
/// then download the blocks this node lacks — a few at once, processed in order — until the peer
/// has nothing more. Headers or blocks that break consensus count against the peer
/// (<see cref="PeerManager.Misbehaving"/>); a peer that cannot be reached is left to the tip check.
/// </summary>
public sealed class BlockSync(
    ChainEngine chain,
    PeerManager peers,
    PeerClient client,
    SyncQueue queue,
    RelaySources sources,
    Microsoft.Extensions.Options.IOptions<P2pOptions> options,
    ILogger<BlockSync> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            string nodeId;
            try
            {
                nodeId = await queue.NextAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (peers.Get(nodeId) is not { } peer)
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
            catch (Exception e) when (e is HttpRequestException or TimeoutException or PeerRefusedException)
            {
                log.LogInformation("Catch-up from {Peer} stopped: {Reason}", peer.NodeId, e.Message);
            }
        }
    }

    /// <summary>Catches up from <paramref name="peer"/>; returns the number of blocks it gave that this node accepted.</summary>
    public async Task<int> SyncFromAsync(Peer peer, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(peer);
        var accepted = 0;
        Hash256? continueFrom = null;
        while (peers.Get(peer.NodeId) is not null)
        {
            var locator = BlockLocator.Build(chain.State.Active);
            if (continueFrom is { } last)
            {
                locator = [last, .. locator.Take(BlockLocator.MaxEntries - 1)];
            }

            var headers = await client.GetHeadersAsync(peer.Url, locator, ct);
            if (headers.Count == 0)
            {
                break;
            }

            var check = CheckHeaders(headers, chain.Params);
            if (!check.IsValid)
            {
                peers.Misbehaving(peer, check);
                break;
            }

            if (chain.GetEntry(headers[0].PreviousHash) is null)
            {
                log.LogInformation("Headers from {Peer} do not connect to this node's chain; stopping the catch-up", peer.NodeId);
                break;
            }

            var missing = headers.Select(h => h.GetHash()).Where(h => chain.GetEntry(h) is null).ToList();
            if (missing.Count > 0)
            {
                log.LogInformation("Catching up {Count} blocks from {Peer} (headers up to height {Height})", missing.Count, peer.NodeId, chain.GetEntry(headers[0].PreviousHash)!.Height + headers.Count);
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

    /// <summary>Headers that link to each other and each carry their proof of work; otherwise an <see cref="ValidationCategory.Invalid"/> result.</summary>
    public static ValidationResult CheckHeaders(IReadOnlyList<BlockHeader> headers, ConsensusParams p)
    {
        ArgumentNullException.ThrowIfNull(headers);
        for (var i = 0; i < headers.Count; i++)
        {
            var hash = headers[i].GetHash();
            if (!Target.CheckProofOfWork(hash, headers[i].Bits, p))
            {
                return ValidationResult.Invalid(RejectCodes.BadPow, $"Header {hash} does not meet its target.");
            }

            if (i > 0 && headers[i].PreviousHash != headers[i - 1].GetHash())
            {
                return ValidationResult.Invalid(PeerCodes.BadHeaders, $"Header {hash} does not follow the header before it.");
            }
        }

        return ValidationResult.Ok;
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
                    pending.Enqueue((hash, client.GetBlockAsync(peer.Url, hash, stop.Token)));
                }

                var (expected, download) = pending.Dequeue();
                var block = await download;
                if (block is null)
                {
                    log.LogInformation("Peer {Peer} no longer has block {Hash}", peer.NodeId, expected);
                    return (accepted, false);
                }

                if (block.Hash != expected)
                {
                    peers.Misbehaving(peer, ValidationResult.Invalid(PeerCodes.UnexpectedBlock, $"Asked for block {expected}, got {block.Hash}."));
                    return (accepted, false);
                }

                sources.Record(block.Hash, peer.NodeId);
                var result = await chain.ProcessBlockAsync(block, ct);
                if (result.Status == BlockStatus.Invalid)
                {
                    peers.Misbehaving(peer, result.Validation);
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
                catch (Exception e) when (e is OperationCanceledException or HttpRequestException or TimeoutException or PeerRefusedException)
                {
                }
            }
        }
    }
}
