using System.Collections.Concurrent;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Api;
using ChainCore.Node.Chain;
using ChainCore.Node.Storage;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace ChainCore.Node.Network;

/// <summary>Why a handshake was refused: the HTTP status and the problem code the other side sees.</summary>
public sealed record PeerRefusal(int Status, string Code, string Detail);

/// <summary>
/// The node's connections: handshakes in both directions (a handshake connects both sides, since
/// each pushes to the other over HTTP), the peers connected now with an outbox and a sender loop
/// each, announcements to every peer but the sender, bans for misbehaviour and the peers known for
/// reconnecting (bootstrap list, the <c>nodes</c> table, peers' peer lists).
/// </summary>
public sealed class PeerManager : IDisposable
{
    private readonly ChainEngine _chain;
    private readonly PeerClient _client;
    private readonly IPeerStore _store;
    private readonly SyncQueue _sync;
    private readonly NodeOptions _node;
    private readonly P2pOptions _options;
    private readonly TimeProvider _clock;
    private readonly IServer? _server;
    private readonly ILogger<PeerManager> _log;
    private readonly ConcurrentDictionary<string, Peer> _peers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _bans = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, byte> _learned = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _connecting = new();
    private bool _disposed;

    public PeerManager(
        ChainEngine chain,
        PeerClient client,
        IPeerStore store,
        SyncQueue sync,
        IOptions<NodeOptions> node,
        IOptions<P2pOptions> options,
        TimeProvider clock,
        ILogger<PeerManager> log,
        IServer? server = null)
    {
        _chain = chain;
        _client = client;
        _store = store;
        _sync = sync;
        _node = node.Value;
        _options = options.Value;
        _clock = clock;
        _server = server;
        _log = log;
    }

    public string NodeId => _node.NodeId;

    /// <summary>
    /// This node's URL as peers reach it: <c>--public-url</c>; else the address the server actually
    /// listens on (the P2P port's when set; a wildcard host shown as loopback); else the configured one.
    /// </summary>
    public string SelfUrl
    {
        get
        {
            if (!string.IsNullOrWhiteSpace(_node.PublicUrl))
            {
                return Normalize(_node.PublicUrl);
            }

            var addresses = _server?.Features.Get<IServerAddressesFeature>()?.Addresses.Select(Loopback).ToList() ?? [];
            if (_node.P2PPort is { } p2p && addresses.FirstOrDefault(a => a.EndsWith($":{p2p}", StringComparison.Ordinal)) is { } peerAddress)
            {
                return peerAddress;
            }

            return addresses.FirstOrDefault() ?? Loopback(_node.P2PListenUrl ?? _node.ListenUrl);
        }
    }

    private static string Loopback(string address)
    {
        var uri = address.Replace("://+:", "://127.0.0.1:", StringComparison.Ordinal).Replace("://*:", "://127.0.0.1:", StringComparison.Ordinal)
            .Replace("://0.0.0.0:", "://127.0.0.1:", StringComparison.Ordinal).Replace("://[::]:", "://127.0.0.1:", StringComparison.Ordinal);
        return Normalize(uri);
    }

    /// <summary>Peers connected now.</summary>
    public int Count => _peers.Count;

    public IReadOnlyList<Peer> Peers => [.. _peers.Values.OrderBy(p => p.NodeId, StringComparer.Ordinal)];

    public Peer? Get(string? nodeId) => nodeId is not null && _peers.TryGetValue(nodeId, out var peer) ? peer : null;

    public PeerHello Hello()
    {
        var tip = _chain.Tip;
        return new PeerHello(NodeId, SelfUrl, _chain.Params.Name, _chain.Params.GenesisHash.ToString(), tip.Height, tip.Hash.ToString());
    }

    /// <summary>Whether a node id or URL is refused until its ban ends (bans end on this node's clock).</summary>
    public bool IsBanned(string? key)
    {
        if (key is null || !_bans.TryGetValue(key, out var until))
        {
            return false;
        }

        if (until > _clock.GetUtcNow())
        {
            return true;
        }

        _bans.TryRemove(key, out _);
        return false;
    }

    /// <summary>Checks another node's handshake: well formed, not banned, same network and genesis, not this node.</summary>
    public PeerRefusal? Check(PeerHello hello)
    {
        ArgumentNullException.ThrowIfNull(hello);
        if (string.IsNullOrWhiteSpace(hello.NodeId) || hello.NodeId.Length > 100 || hello.NodeId.Any(char.IsControl))
        {
            return new PeerRefusal(StatusCodes.Status400BadRequest, RejectCodes.Malformed, "'node_id' is required: 1 to 100 printable characters.");
        }

        if (!Uri.TryCreate(hello.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || hello.Url!.Length > 300)
        {
            return new PeerRefusal(StatusCodes.Status400BadRequest, RejectCodes.Malformed, "'url' must be an absolute http or https URL where this node can reach the peer.");
        }

        if (string.IsNullOrWhiteSpace(hello.Network) || string.IsNullOrWhiteSpace(hello.GenesisHash))
        {
            return new PeerRefusal(StatusCodes.Status400BadRequest, RejectCodes.Malformed, "'network' and 'genesis_hash' are required.");
        }

        if (IsBanned(hello.NodeId) || IsBanned(Normalize(hello.Url)))
        {
            return new PeerRefusal(StatusCodes.Status403Forbidden, PeerCodes.PeerBanned, $"Peer {hello.NodeId} sent invalid data and is refused for now.");
        }

        if (!string.Equals(hello.Network, _chain.Params.Name, StringComparison.Ordinal))
        {
            return new PeerRefusal(StatusCodes.Status409Conflict, PeerCodes.WrongNetwork, $"This node is on {_chain.Params.Name}, the peer on {hello.Network}.");
        }

        if (!Hash256.TryParse(hello.GenesisHash, out var genesis) || genesis != _chain.Params.GenesisHash)
        {
            return new PeerRefusal(StatusCodes.Status409Conflict, PeerCodes.WrongGenesis, $"This node's genesis block is {_chain.Params.GenesisHash}, the peer's {hello.GenesisHash}.");
        }

        if (string.Equals(hello.NodeId, NodeId, StringComparison.Ordinal))
        {
            return new PeerRefusal(StatusCodes.Status409Conflict, PeerCodes.SelfConnection, $"{hello.NodeId} is this node.");
        }

        if (!_peers.ContainsKey(hello.NodeId) && _peers.Count >= _options.MaxPeers)
        {
            return new PeerRefusal(StatusCodes.Status503ServiceUnavailable, PeerCodes.TooManyPeers, $"This node has its maximum of {_options.MaxPeers} peers.");
        }

        return null;
    }

    /// <summary>An inbound handshake: checked, and on success the peer is connected (or refreshed) and, if it is ahead, caught up from.</summary>
    public async Task<PeerRefusal?> AcceptAsync(PeerHello hello, CancellationToken ct)
    {
        var refusal = Check(hello);
        if (refusal is not null)
        {
            _log.LogInformation("Refused handshake from {Peer} ({Url}): {Code} {Detail}", hello.NodeId, hello.Url, refusal.Code, refusal.Detail);
            return refusal;
        }

        return await RegisterAsync(hello, PeerDirection.Inbound, ct)
            ? null
            : new PeerRefusal(StatusCodes.Status503ServiceUnavailable, PeerCodes.NodeStopping, "This node is stopping.");
    }

    /// <summary>Connects to the node at <paramref name="url"/>; false (logged) when it is unreachable, refuses, or is this node or a banned one.</summary>
    public async Task<bool> ConnectAsync(string url, CancellationToken ct)
    {
        url = Normalize(url);
        if (IsBanned(url) || string.Equals(url, SelfUrl, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        PeerHello answer;
        try
        {
            answer = await _client.HandshakeAsync(url, Hello(), ct);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException or PeerRefusedException)
        {
            _log.LogInformation("Could not connect to {Url}: {Reason}", url, e.Message);
            return false;
        }

        var refusal = Check(answer with { Url = url });
        if (refusal is not null)
        {
            _log.LogInformation("Not connecting to {Url}: {Code} {Detail}", url, refusal.Code, refusal.Detail);
            return false;
        }

        return await RegisterAsync(answer with { Url = url }, PeerDirection.Outbound, ct);
    }

    /// <summary>Connects (or refreshes) the peer; false once the node is stopping.</summary>
    private async Task<bool> RegisterAsync(PeerHello hello, PeerDirection direction, CancellationToken ct)
    {
        var url = Normalize(hello.Url!);
        Peer peer;
        bool added;
        lock (_connecting)
        {
            if (_disposed)
            {
                return false;
            }

            added = !_peers.TryGetValue(hello.NodeId!, out var existing);
            peer = existing ?? new Peer(hello.NodeId!, url, direction, _clock.GetUtcNow(), _options.MaxQueuedAnnouncements);
            peer.Url = url;
            if (added)
            {
                _peers[peer.NodeId] = peer;
                peer.Sender = Task.Run(() => SendLoopAsync(peer), CancellationToken.None);
            }
        }

        peer.SetTip(hello.TipHeight, Hash256.TryParse(hello.TipHash, out var tipHash) ? tipHash : null);
        if (added)
        {
            _log.LogInformation("Connected to peer {Peer} at {Url} ({Direction}); its tip is at height {Height}", peer.NodeId, url, direction, hello.TipHeight);
        }

        try
        {
            await _store.UpsertPeerAsync(new PeerRecord(peer.NodeId, url, _chain.Params.Name, _clock.GetUtcNow(), peer.Score), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _log.LogWarning("Could not store peer {Peer}: {Reason}", peer.NodeId, e.Message);
        }

        RequestSyncIfAhead(peer);
        return true;
    }

    /// <summary>Asks for a catch-up from <paramref name="peer"/> if its tip is unknown here and not lower than this node's.</summary>
    public void RequestSyncIfAhead(Peer peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (peer.TipHash is { } hash && _chain.GetEntry(hash) is null && peer.TipHeight >= _chain.Tip.Height)
        {
            _sync.Request(peer.NodeId);
        }
    }

    /// <summary>
    /// Scores what <paramref name="peer"/> sent by its category alone; past <see cref="Misbehaviour.BanThreshold"/>
    /// the peer is dropped and its node id and URL refused for <see cref="P2pOptions.BanDuration"/>.
    /// </summary>
    public void Misbehaving(Peer peer, ValidationResult result)
    {
        ArgumentNullException.ThrowIfNull(peer);
        var points = Misbehaviour.ScoreFor(result.Category);
        if (points == 0)
        {
            return;
        }

        var score = peer.AddScore(points);
        if (score < Misbehaviour.BanThreshold)
        {
            return;
        }

        var until = _clock.GetUtcNow() + _options.BanDuration;
        _bans[peer.NodeId] = until;
        _bans[peer.Url] = until;
        _log.LogWarning("Banned peer {Peer} ({Url}) until {Until:O}: it sent {Code} ({Category}) {Message}", peer.NodeId, peer.Url, until, result.Code, result.Category, result.Message);
        Disconnect(peer.NodeId, $"banned: {result.Code}");
        _ = StoreScoreAsync(peer);
    }

    private async Task StoreScoreAsync(Peer peer)
    {
        try
        {
            await _store.UpsertPeerAsync(new PeerRecord(peer.NodeId, peer.Url, _chain.Params.Name, _clock.GetUtcNow(), peer.Score));
        }
        catch (Exception e)
        {
            _log.LogWarning("Could not store peer {Peer}'s score: {Reason}", peer.NodeId, e.Message);
        }
    }

    public bool Disconnect(string nodeId, string reason)
    {
        if (!_peers.TryRemove(nodeId, out var peer))
        {
            return false;
        }

        peer.Close();
        _log.LogInformation("Disconnected from peer {Peer}: {Reason}", nodeId, reason);
        return true;
    }

    /// <summary>Queues <paramref name="announcement"/> for every connected peer but <paramref name="except"/> (its sender).</summary>
    public void Announce(Announcement announcement, string? except)
    {
        foreach (var peer in _peers.Values)
        {
            if (!string.Equals(peer.NodeId, except, StringComparison.Ordinal))
            {
                peer.Enqueue(announcement);
            }
        }
    }

    /// <summary>Remembers URLs from a peer's peer list, to connect to while this node has fewer than its target of peers.</summary>
    public void Learn(IEnumerable<string> urls)
    {
        ArgumentNullException.ThrowIfNull(urls);
        foreach (var url in urls.Take(_options.MaxPeers))
        {
            if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && _learned.Count < 1_000)
            {
                _learned.TryAdd(Normalize(url), 0);
            }
        }
    }

    /// <summary>URLs worth connecting to now: the bootstrap list, stored peers and learned ones, minus connected, banned and this node.</summary>
    public async Task<IReadOnlyList<string>> CandidatesAsync(CancellationToken ct)
    {
        var urls = new List<string>(_node.BootstrapNodeList.Select(Normalize));
        try
        {
            urls.AddRange((await _store.GetPeersAsync(ct)).Where(p => p.Network == _chain.Params.Name && p.Score < Misbehaviour.BanThreshold).Select(p => Normalize(p.Url)));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _log.LogWarning("Could not read the stored peers: {Reason}", e.Message);
        }

        if (_options.PeerExchange)
        {
            urls.AddRange(_learned.Keys);
        }

        var connected = _peers.Values.Select(p => p.Url).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var self = SelfUrl;
        return [.. urls.Distinct(StringComparer.OrdinalIgnoreCase)
            .Where(u => !connected.Contains(u) && !IsBanned(u) && !string.Equals(u, self, StringComparison.OrdinalIgnoreCase))];
    }

    private async Task SendLoopAsync(Peer peer)
    {
        var ct = peer.Stopping.Token;
        try
        {
            while (await peer.Outbox.WaitToReadAsync(ct))
            {
                while (peer.Outbox.TryRead(out var announcement))
                {
                    if (!await SendAsync(peer, announcement, ct))
                    {
                        Disconnect(peer.NodeId, "unreachable");
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>Sends one announcement; false when the peer cannot be reached. A peer that forgot this node is greeted again once.</summary>
    private async Task<bool> SendAsync(Peer peer, Announcement announcement, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 2; attempt++)
        {
            try
            {
                var response = announcement switch
                {
                    BlockAnnouncement b => await _client.SendBlockAsync(peer.Url, b.Block, ct),
                    TransactionAnnouncement t => await _client.SendTransactionAsync(peer.Url, t.Transaction, ct),
                    _ => throw new InvalidOperationException($"Unknown announcement {announcement}."),
                };
                _log.LogDebug("Peer {Peer} answered {Status} for {Hash}", peer.NodeId, response.Status, response.Hash);
                return true;
            }
            catch (PeerRefusedException e) when (e.Code == PeerCodes.PeerUnknown && attempt == 0)
            {
                if (!await ConnectAsync(peer.Url, ct))
                {
                    return false;
                }
            }
            catch (PeerRefusedException e) when (e.Code is PeerCodes.PeerBanned or PeerCodes.PeerUnknown)
            {
                _log.LogInformation("Peer {Peer} refuses this node: {Code}", peer.NodeId, e.Code);
                return false;
            }
            catch (PeerRefusedException e)
            {
                _log.LogDebug("Peer {Peer} refused an announcement: {Reason}", peer.NodeId, e.Message);
                return true;
            }
            catch (Exception e) when (e is HttpRequestException or TimeoutException)
            {
                _log.LogInformation("Peer {Peer} is unreachable: {Reason}", peer.NodeId, e.Message);
                return false;
            }
        }

        return false;
    }

    /// <summary>Drops every connection (at shutdown).</summary>
    public async Task DisconnectAllAsync()
    {
        Task[] senders;
        lock (_connecting)
        {
            _disposed = true;
            senders = [.. _peers.Values.Select(p => p.Sender)];
            foreach (var id in _peers.Keys)
            {
                Disconnect(id, "node stopping");
            }
        }

        await Task.WhenAll(senders);
    }

    public static string Normalize(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri)
            ? uri.GetLeftPart(UriPartial.Path).TrimEnd('/')
            : url.Trim().TrimEnd('/');
    }

    public void Dispose()
    {
        lock (_connecting)
        {
            _disposed = true;
            foreach (var peer in _peers.Values)
            {
                peer.Close();
            }

            _peers.Clear();
        }
    }
}
