using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;

namespace ChainCore.Node.Network;

/// <summary>
/// Every message a peer sends is handled here, whichever endpoint or loop received it (Bitcoin
/// Core's net_processing): announcements, headers, blocks and transactions are checked, fetched
/// once, given to the engine, and what breaks the rules is charged to the sending session.
/// </summary>
public sealed class PeerMessageHandler(
    ChainEngine chain,
    ConnectionManager connections,
    IPeerClient client,
    SyncQueue sync,
    TimeProvider clock,
    ILogger<PeerMessageHandler> log)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Hash256, byte> _inFlight = new();
    public const int MaxTransactionFetchesPerAnnouncement = 100;

    private readonly RecentHashes _rejected = new(10_000);

    /// <summary>
    /// An announcement: each header that extends a known block with more work than the tip is fetched
    /// from the announcer (once, whoever else announces it meanwhile); a header whose parent is unknown
    /// starts a catch-up from the announcer; each unknown txid is fetched and offered to the mempool.
    /// </summary>
    public async Task OnAnnouncementAsync(Peer peer, IReadOnlyList<BlockHeader> headers, IReadOnlyList<Hash256> txids, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(txids);
        if (headers.Count > 0 && !await OnHeadersAsync(peer, headers))
        {
            return;
        }

        foreach (var header in headers)
        {
            var hash = header.GetHash();
            peer.Known.Add(hash);
            if (chain.GetEntry(hash) is { } known)
            {
                peer.SetTip(known.Height, hash);
                continue;
            }

            if (chain.GetEntry(header.PreviousHash) is not { } parent)
            {
                sync.Request(peer);
                return;
            }

            peer.SetTip(parent.Height + 1, hash);
            if (parent.ChainWork + Target.GetBlockWork(header.Bits) <= chain.Tip.ChainWork || !_inFlight.TryAdd(hash, 0))
            {
                continue;
            }

            try
            {
                if (!await FetchBlockAsync(peer, hash, ct))
                {
                    return;
                }
            }
            finally
            {
                _inFlight.TryRemove(hash, out _);
            }
        }

        var fetches = 0;
        foreach (var txid in txids)
        {
            peer.Known.Add(txid);
            if (chain.IsInMempool(txid) || _rejected.Contains(txid) || !_inFlight.TryAdd(txid, 0))
            {
                continue;
            }

            // A peer is asked for at most this many transactions per announcement (Bitcoin Core's
            // MAX_PEER_TX_REQUEST_IN_FLIGHT): the rest come again with later announcements.
            if (++fetches > MaxTransactionFetchesPerAnnouncement)
            {
                _inFlight.TryRemove(txid, out _);
                break;
            }

            try
            {
                if (!await FetchTransactionAsync(peer, txid, ct))
                {
                    return;
                }
            }
            finally
            {
                _inFlight.TryRemove(txid, out _);
            }
        }
    }

    /// <summary>Headers from a peer: they must link and carry their proof of work; otherwise the peer is charged. True when they pass.</summary>
    public async Task<bool> OnHeadersAsync(Peer peer, IReadOnlyList<BlockHeader> headers)
    {
        var check = CheckHeaders(headers, chain.Params);
        if (check.IsValid)
        {
            return true;
        }

        await connections.MisbehavingAsync(peer, check);
        return false;
    }

    /// <summary>
    /// A block from a peer, <paramref name="requested"/> or not: given to the engine; a block new to
    /// this node marks the peer as a source of novel blocks (eviction protects such peers); an invalid
    /// one is charged to it. False when the peer should not be asked for more.
    /// </summary>
    public async Task<(BlockResult Result, bool KeepGoing)> OnBlockAsync(Peer peer, Block block, bool requested, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(block);
        peer.Known.Add(block.Hash);
        var result = await chain.ProcessBlockAsync(block, requested, ct);
        switch (result.Status)
        {
            case BlockStatus.Accepted:
                peer.LastNovelBlock = clock.GetUtcNow();
                return (result, true);
            case BlockStatus.Orphan:
                sync.Request(peer);
                return (result, false);
            case BlockStatus.Invalid:
                await connections.MisbehavingAsync(peer, result.Validation);
                return (result, result.Validation.Category != ValidationCategory.Invalid);
            default:
                return (result, true);
        }
    }

    /// <summary>A peer broke the protocol (an answer over its cap, malformed, too many headers).</summary>
    public Task OnProtocolViolationAsync(Peer peer, PeerProtocolException violation)
    {
        log.LogInformation("Peer {Peer} broke the protocol: {Code} {Message}", peer, violation.Code, violation.Message);
        return connections.MisbehavingAsync(peer, violation);
    }

    /// <summary>Fetches one block from <paramref name="peer"/> and processes it as requested; false when the peer is not to be asked for more.</summary>
    public async Task<bool> FetchBlockAsync(Peer peer, Hash256 hash, CancellationToken ct)
    {
        var (fetched, block) = await TryFetchAsync(peer, $"block {hash}", () => client.GetBlockAsync(peer, hash, ct));
        if (!fetched)
        {
            return false;
        }

        if (block is null)
        {
            log.LogInformation("Peer {Peer} no longer has block {Hash}", peer, hash);
            return false;
        }

        if (block.Hash != hash)
        {
            await connections.MisbehavingAsync(peer, ValidationResult.Invalid(PeerCodes.UnexpectedBlock, $"Asked for block {hash}, got {block.Hash}."));
            return false;
        }

        var (_, keepGoing) = await OnBlockAsync(peer, block, requested: true, ct);
        return keepGoing;
    }

    /// <summary>
    /// One fetch from a peer: a protocol violation is charged to it, a transport failure or refusal
    /// only logged; either way Fetched is false and the peer is not asked for more now.
    /// </summary>
    private async Task<(bool Fetched, T? Value)> TryFetchAsync<T>(Peer peer, string what, Func<Task<T?>> fetch)
        where T : class
    {
        try
        {
            return (true, await fetch());
        }
        catch (PeerProtocolException e)
        {
            await OnProtocolViolationAsync(peer, e);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException or PeerRefusedException)
        {
            log.LogInformation("Could not fetch {What} from {Peer}: {Reason}", what, peer, e.Message);
        }

        return (false, null);
    }

    private async Task<bool> FetchTransactionAsync(Peer peer, Hash256 txid, CancellationToken ct)
    {
        var (fetched, tx) = await TryFetchAsync(peer, $"transaction {txid}", () => client.GetTransactionAsync(peer, txid, ct));
        if (!fetched)
        {
            return false;
        }

        if (tx is null)
        {
            return true;
        }

        if (tx.TxId != txid)
        {
            await connections.MisbehavingAsync(peer, ValidationResult.Invalid(RejectCodes.Malformed, $"Asked for transaction {txid}, got {tx.TxId}."));
            return false;
        }

        var result = await chain.AcceptTransactionAsync(tx, ct);
        if (result.Accepted)
        {
            peer.LastNovelTransaction = clock.GetUtcNow();
            return true;
        }

        _rejected.Add(txid);
        await connections.MisbehavingAsync(peer, result.Validation);
        return result.Validation.Category != ValidationCategory.Invalid;
    }

    /// <summary>Headers that link to each other and each carry their proof of work; otherwise an <see cref="ValidationCategory.Invalid"/> result.</summary>
    public static ValidationResult CheckHeaders(IReadOnlyList<BlockHeader> headers, ConsensusParams p)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(p);
        if (headers.Count > PeerWire.MaxHeaders)
        {
            return ValidationResult.Invalid(PeerCodes.TooManyHeaders, $"{headers.Count} headers; at most {PeerWire.MaxHeaders} are allowed.");
        }

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
}
