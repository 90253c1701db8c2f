using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;
using ChainCore.Node.Storage;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace ChainCore.Node.Network;

/// <summary>Why a handshake was refused: the HTTP status and the problem code the other side sees.</summary>
public sealed record PeerRefusal(int Status, string Code, string Detail);

/// <summary>
/// The node's sessions with other nodes (Bitcoin Core's CConnman): handshakes in both directions,
/// each bound to an address the peer proved it listens on — the node calls the declared address back
/// and the node there must confirm the handshake's nonce — and to a session token per side, never to
/// the name a peer declares. Outbound slots are the node's own; inbound peers take the rest, and a
/// newcomer to a full inbound set evicts by <see cref="InboundEviction"/>. Misbehaviour is charged
/// to the session; past the threshold the session is dropped and its address (and its remote
/// address, unless local) banned through <see cref="BanList"/>.
/// </summary>
public sealed class ConnectionManager : IDisposable
{
    private static readonly TimeSpan PendingLifetime = TimeSpan.FromMinutes(1);

    private readonly ChainEngine _chain;
    private readonly IPeerClient _client;
    private readonly IPeerStore _store;
    private readonly AddressBook _book;
    private readonly BanList _bans;
    private readonly SyncQueue _sync;
    private readonly NodeOptions _node;
    private readonly P2pOptions _options;
    private readonly TimeProvider _clock;
    private readonly IServer? _server;
    private readonly ILogger<ConnectionManager> _log;
    private readonly ConcurrentDictionary<string, Peer> _bySession = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Pending> _pending = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Unconfirmed> _unconfirmed = new(StringComparer.Ordinal);
    private readonly byte[] _groupKey = RandomNumberGenerator.GetBytes(16);
    private readonly Lock _sessions = new();
    private int _verifying;
    private bool _disposed;

    public ConnectionManager(
        ChainEngine chain,
        IPeerClient client,
        IPeerStore store,
        AddressBook book,
        BanList bans,
        SyncQueue sync,
        IOptions<NodeOptions> node,
        IOptions<P2pOptions> options,
        TimeProvider clock,
        ILogger<ConnectionManager> log,
        IServer? server = null)
    {
        _chain = chain;
        _client = client;
        _store = store;
        _book = book;
        _bans = bans;
        _sync = sync;
        _node = node.Value;
        _options = options.Value;
        _clock = clock;
        _server = server;
        _log = log;
    }

    public string NodeId => _node.NodeId;

    public AddressBook Book => _book;

    public BanList Bans => _bans;

    /// <summary>
    /// This node's address as peers reach it: <c>--public-url</c>; else the address the server actually
    /// listens on (the P2P port's when set; a wildcard host shown as loopback); else the configured one.
    /// </summary>
    public string SelfUrl
    {
        get
        {
            if (!string.IsNullOrWhiteSpace(_node.PublicUrl))
            {
                return Canonical(_node.PublicUrl);
            }

            var addresses = _server?.Features.Get<IServerAddressesFeature>()?.Addresses.Select(Loopback).ToList() ?? [];
            if (_node.P2PPort is { } p2p && addresses.FirstOrDefault(a => a.EndsWith($":{p2p}", StringComparison.Ordinal)) is { } peerAddress)
            {
                return peerAddress;
            }

            return addresses.FirstOrDefault() ?? Loopback(_node.P2PListenUrl ?? _node.ListenUrl);
        }
    }

    /// <summary>Sessions open now.</summary>
    public int Count => _bySession.Count;

    public int InboundCount => _bySession.Values.Count(p => p.Direction == PeerDirection.Inbound);

    public int OutboundCount => _bySession.Values.Count(p => p.Direction == PeerDirection.Outbound);

    public int MaxInbound => Math.Max(0, _options.MaxPeers - _options.MaxOutbound);

    public IReadOnlyList<Peer> Peers => [.. _bySession.Values.OrderBy(p => p.Url, StringComparer.Ordinal).ThenBy(p => p.Direction)];

    /// <summary>The session a <c>/p2p</c> call's token names, or null.</summary>
    public Peer? FindBySession(string? token) =>
        PeerWire.IsSessionToken(token) && _bySession.TryGetValue(token!, out var peer) && !peer.IsClosed ? peer : null;

    /// <summary>The session with the node at <paramref name="address"/>, or null.</summary>
    public Peer? FindByAddress(string? address) =>
        address is not null && PeerAddress.TryParse(address, out var parsed, out _) ? _bySession.Values.FirstOrDefault(p => p.Address.Equals(parsed)) : null;

    /// <summary>Loads the stored bans and addresses (at start).</summary>
    public async Task LoadAsync(CancellationToken ct)
    {
        await _bans.LoadAsync(ct);
        try
        {
            foreach (var stored in await _store.GetAddressesAsync(ct))
            {
                if (stored.Network == _chain.Params.Name && PeerAddress.TryParse(stored.Address, out var address, out _))
                {
                    _book.Good(address, stored.LastSuccess);
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _log.LogWarning("Could not read the stored peer addresses: {Reason}", e.Message);
        }
    }

    /// <summary>
    /// An inbound handshake: checked, confirmed by calling the declared address back, and on success a
    /// session is opened (evicting an inbound peer if the slots are full) and the peer, if it is ahead,
    /// caught up from.
    /// </summary>
    public async Task<(PeerWelcome? Welcome, PeerRefusal? Refusal)> AcceptAsync(PeerHello hello, IPAddress? remote, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(hello);
        var (address, refusal) = Check(hello, remote);
        if (refusal is null && Interlocked.Increment(ref _verifying) > _options.MaxPendingHandshakes)
        {
            Interlocked.Decrement(ref _verifying);
            refusal = new PeerRefusal(StatusCodes.Status503ServiceUnavailable, PeerCodes.HandshakeBusy, "This node is confirming as many handshakes as it takes at once; try again shortly.");
        }
        else if (refusal is null)
        {
            try
            {
                return await ConfirmAndOpenAsync(hello, address!, remote, ct);
            }
            finally
            {
                Interlocked.Decrement(ref _verifying);
            }
        }

        _log.LogInformation("Refused handshake from {Peer} ({Url}, remote {Remote}): {Code} {Detail}", hello.NodeId, hello.Url, remote?.ToString() ?? "in-memory", refusal.Code, refusal.Detail);
        return (null, refusal);
    }

    private async Task<(PeerWelcome?, PeerRefusal?)> ConfirmAndOpenAsync(PeerHello hello, PeerAddress address, IPAddress? remote, CancellationToken ct)
    {
        PeerConfirmation confirmation;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            timeout.CancelAfter(_options.ConnectTimeout);
            try
            {
                confirmation = await _client.ConfirmAsync(address, new PeerConfirmRequest(hello.Nonce, NodeId), timeout.Token);
            }
            catch (Exception e) when (e is HttpRequestException or TimeoutException or PeerRefusedException or PeerProtocolException
                                      || (e is OperationCanceledException && !ct.IsCancellationRequested))
            {
                RememberUnconfirmed(address);
                var refusal = new PeerRefusal(StatusCodes.Status403Forbidden, PeerCodes.AddressUnconfirmed, $"{address} did not confirm this handshake ({Describe(e)}); a peer's address must answer there.");
                _log.LogInformation("Refused handshake from {Peer} ({Url}): {Code} {Detail}", hello.NodeId, address, refusal.Code, refusal.Detail);
                return (null, refusal);
            }
        }

        _unconfirmed.TryRemove(address.Value, out _);
        var sessionIn = NewToken(32);
        var peer = new Peer(hello.NodeId!, address, PeerDirection.Inbound, remote, sessionIn, confirmation.Session, _clock.GetUtcNow(), _options.MaxQueuedAnnouncements);
        if (!Open(peer, out var full, out var duplicate))
        {
            var refusal = full ? new PeerRefusal(StatusCodes.Status503ServiceUnavailable, PeerCodes.TooManyPeers, $"This node's {MaxInbound} inbound slots are taken by peers it keeps.")
                : duplicate ? new PeerRefusal(StatusCodes.Status409Conflict, PeerCodes.DuplicateConnection, "This node has a session with that address already.")
                : new PeerRefusal(StatusCodes.Status503ServiceUnavailable, PeerCodes.NodeStopping, "This node is stopping.");
            return (null, refusal);
        }

        // The call back reached it: the address is proven as well as by a connection out to it.
        _book.Good(address);
        await StoreAddressAsync(address);
        peer.SetTip(hello.TipHeight, Hash256.TryParse(hello.TipHash, out var tipHash) ? tipHash : null);
        RequestSyncIfAhead(peer);
        var tip = _chain.Tip;
        return (new PeerWelcome(NodeId, SelfUrl, _chain.Params.Name, _chain.Params.GenesisHash.ToString(), tip.Height, tip.Hash.ToString(), sessionIn), null);
    }

    /// <summary>Checks a handshake before anything is called: its shape, the address rules, bans, chain, self, and whether an inbound slot could be had.</summary>
    public (PeerAddress? Address, PeerRefusal? Refusal) Check(PeerHello hello, IPAddress? remote)
    {
        ArgumentNullException.ThrowIfNull(hello);
        if (string.IsNullOrWhiteSpace(hello.NodeId) || hello.NodeId.Length > 100 || hello.NodeId.Any(char.IsControl))
        {
            return (null, Refuse(StatusCodes.Status400BadRequest, RejectCodes.Malformed, "'node_id' is required: 1 to 100 printable characters."));
        }

        if (!PeerAddress.TryParse(hello.Url, out var address, out var error))
        {
            return (null, Refuse(StatusCodes.Status400BadRequest, PeerCodes.BadAddress, $"'url': {error}"));
        }

        if (string.IsNullOrWhiteSpace(hello.Network) || string.IsNullOrWhiteSpace(hello.GenesisHash) || !IsNonce(hello.Nonce))
        {
            return (null, Refuse(StatusCodes.Status400BadRequest, RejectCodes.Malformed, "'network', 'genesis_hash' and 'nonce' (32 hex digits) are required."));
        }

        if (!_book.MayLearn(address))
        {
            return (null, Refuse(StatusCodes.Status403Forbidden, PeerCodes.AddressNotAllowed, $"{address} is not routable, and this node takes such addresses only from peers it was told of."));
        }

        if (_bans.IsAnyBanned(BanTargets(address, remote)))
        {
            return (null, Refuse(StatusCodes.Status403Forbidden, PeerCodes.PeerBanned, "This peer sent invalid data and is refused for now."));
        }

        if (!string.Equals(hello.Network, _chain.Params.Name, StringComparison.Ordinal))
        {
            return (null, Refuse(StatusCodes.Status409Conflict, PeerCodes.WrongNetwork, $"This node is on {_chain.Params.Name}, the peer on {hello.Network}."));
        }

        if (!Hash256.TryParse(hello.GenesisHash, out var genesis) || genesis != _chain.Params.GenesisHash)
        {
            return (null, Refuse(StatusCodes.Status409Conflict, PeerCodes.WrongGenesis, $"This node's genesis block is {_chain.Params.GenesisHash}, the peer's {hello.GenesisHash}."));
        }

        if (RecentlyUnconfirmed(address, out var wait))
        {
            // Handshakes naming an address that just failed to confirm are refused without calling it
            // again, so that strangers cannot make this node call one address over and over.
            return (null, Refuse(StatusCodes.Status403Forbidden, PeerCodes.AddressUnconfirmed, $"{address} did not confirm a handshake a moment ago; it is not called again for {wait.TotalSeconds:0} s."));
        }

        if (_pending.ContainsKey(hello.Nonce!) || address.Value == SelfUrl)
        {
            return (null, Refuse(StatusCodes.Status409Conflict, PeerCodes.SelfConnection, "That handshake came from this node itself."));
        }

        if (InboundCount >= MaxInbound && FindByAddress(address.Value) is null && SelectEviction() is null)
        {
            return (null, Refuse(StatusCodes.Status503ServiceUnavailable, PeerCodes.TooManyPeers, $"This node's {MaxInbound} inbound slots are taken by peers it keeps."));
        }

        return (address, null);
    }

    /// <summary>The call back of a handshake this node sent: the token the caller is to present, or null for a nonce this node did not send.</summary>
    public PeerConfirmation? Confirm(PeerConfirmRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!IsNonce(request.Nonce) || !_pending.TryGetValue(request.Nonce!, out var pending) || pending.Expired)
        {
            return null;
        }

        pending.Confirm();
        return new PeerConfirmation(pending.SessionIn);
    }

    /// <summary>Connects to the node at <paramref name="url"/> through one outbound slot; false (logged) when it is unreachable, refuses, or is this node, a banned one or already connected.</summary>
    public async Task<bool> ConnectAsync(string url, CancellationToken ct)
    {
        if (!PeerAddress.TryParse(url, out var address, out var error))
        {
            _log.LogInformation("Not connecting to {Url}: {Reason}", url, error);
            return false;
        }

        if (address.Value == SelfUrl || FindByAddress(address.Value) is not null || _bans.IsAnyBanned(BanTargets(address, null)) || OutboundCount >= _options.MaxOutbound || _disposed)
        {
            return false;
        }

        var nonce = NewToken(16);
        var pending = new Pending(NewToken(32));
        _pending[nonce] = pending;
        _book.Attempt(address);
        try
        {
            var tip = _chain.Tip;
            var hello = new PeerHello(NodeId, SelfUrl, _chain.Params.Name, _chain.Params.GenesisHash.ToString(), tip.Height, tip.Hash.ToString(), nonce);
            var welcome = await _client.HandshakeAsync(address, hello, ct);
            if (!pending.Confirmed)
            {
                _log.LogInformation("Not connecting to {Url}: it answered the handshake without confirming it", address);
                _book.Failed(address);
                return false;
            }

            if (welcome.Network != _chain.Params.Name || !Hash256.TryParse(welcome.GenesisHash, out var genesis) || genesis != _chain.Params.GenesisHash)
            {
                _log.LogInformation("Not connecting to {Url}: it follows another chain ({Network}, genesis {Genesis})", address, welcome.Network, welcome.GenesisHash);
                _book.Failed(address);
                return false;
            }

            var peer = new Peer(welcome.NodeId, address, PeerDirection.Outbound, null, pending.SessionIn, welcome.Session, _clock.GetUtcNow(), _options.MaxQueuedAnnouncements);
            if (!Open(peer, out _, out _))
            {
                return false;
            }

            _book.Good(address);
            _unconfirmed.TryRemove(address.Value, out _);
            await StoreAddressAsync(address);
            peer.SetTip(welcome.TipHeight, Hash256.TryParse(welcome.TipHash, out var tipHash) ? tipHash : null);
            RequestSyncIfAhead(peer);
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException or PeerRefusedException or PeerProtocolException
                                  || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            _log.LogInformation("Could not connect to {Url}: {Reason}", address, Describe(e));
            _book.Failed(address);
            return false;
        }
        finally
        {
            _pending.TryRemove(nonce, out _);
            PrunePending();
        }
    }

    /// <summary>Opens the session; an older session with the same address is replaced (its owner proved the address again). False when no slot can be had.</summary>
    private bool Open(Peer peer, out bool full, out bool duplicate)
    {
        full = false;
        duplicate = false;
        Peer? replaced = null;
        Peer? evicted = null;
        lock (_sessions)
        {
            if (_disposed)
            {
                return false;
            }

            replaced = _bySession.Values.FirstOrDefault(p => p.Address.Equals(peer.Address));
            if (replaced is not null && replaced.Direction != peer.Direction && !WinsTieBreak(peer))
            {
                // Both nodes dialed each other at once: both keep the session the node with the
                // smaller address dialed, so that each side keeps the other half of the same pair.
                duplicate = true;
                return false;
            }

            if (replaced is not null)
            {
                _bySession.TryRemove(replaced.SessionIn, out _);
            }
            else if (peer.Direction == PeerDirection.Inbound && InboundCount >= MaxInbound)
            {
                evicted = SelectEviction();
                if (evicted is null)
                {
                    full = true;
                    return false;
                }

                _bySession.TryRemove(evicted.SessionIn, out _);
            }
            else if (peer.Direction == PeerDirection.Outbound && OutboundCount >= _options.MaxOutbound)
            {
                full = true;
                return false;
            }

            _bySession[peer.SessionIn] = peer;
        }

        replaced?.Close();
        if (evicted is not null)
        {
            evicted.Close();
            _log.LogInformation("Evicted inbound peer {Peer} to make room for {Newcomer}", evicted, peer);
        }

        _log.LogInformation("Connected to peer {Peer}{Replaced}", peer, replaced is null ? string.Empty : " (replacing its earlier session)");
        return true;
    }

    /// <summary>Whether a new session beats one in the other direction with the same node: the smaller address's dial wins.</summary>
    private bool WinsTieBreak(Peer peer)
    {
        var selfDials = string.CompareOrdinal(SelfUrl, peer.Address.Value) < 0;
        return (peer.Direction == PeerDirection.Outbound) == selfDials;
    }

    private Peer? SelectEviction()
    {
        var inbound = _bySession.Values.Where(p => p.Direction == PeerDirection.Inbound)
            .Select(p => new EvictionCandidate(p, p.ConnectedSince, p.Latency, p.LastNovelBlock, p.LastNovelTransaction, p.Group))
            .ToList();
        return inbound.Count == 0 ? null : InboundEviction.Select(inbound, GroupKey);
    }

    private ulong GroupKey(string group)
    {
        Span<byte> hash = stackalloc byte[32];
        HMACSHA256.HashData(_groupKey, System.Text.Encoding.UTF8.GetBytes(group), hash);
        return BitConverter.ToUInt64(hash);
    }

    /// <summary>Asks for a catch-up from <paramref name="peer"/> if its tip is unknown here and not lower than this node's.</summary>
    public void RequestSyncIfAhead(Peer peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (peer.TipHash is { } hash && _chain.GetEntry(hash) is null && peer.TipHeight >= _chain.Tip.Height)
        {
            _sync.Request(peer);
        }
    }

    /// <summary>
    /// Charges what <paramref name="peer"/> sent to its session, by category alone; past
    /// <see cref="Misbehaviour.BanThreshold"/> the session is dropped and the peer's address — and its
    /// remote address unless local, which would hit every local peer — refused for <see cref="P2pOptions.BanDuration"/>.
    /// </summary>
    public Task MisbehavingAsync(Peer peer, ValidationResult result) =>
        ChargeAsync(peer, Misbehaviour.ScoreFor(result.Category), result.Code ?? "invalid", result.Message);

    /// <summary>The peer broke the protocol (an answer over its cap, malformed, too many headers): as invalid data.</summary>
    public Task MisbehavingAsync(Peer peer, PeerProtocolException violation)
    {
        ArgumentNullException.ThrowIfNull(violation);
        return ChargeAsync(peer, Misbehaviour.BanThreshold, violation.Code, violation.Message);
    }

    private async Task ChargeAsync(Peer peer, int points, string code, string message)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (points == 0 || peer.AddScore(points) < Misbehaviour.BanThreshold)
        {
            return;
        }

        var targets = BanTargets(peer.Address, peer.Remote).ToList();
        _log.LogWarning("Banned peer {Peer} ({Targets}) for {Duration}: it sent {Code}: {Message}", peer, string.Join(", ", targets), _options.BanDuration, code, message);
        // Every ban is in force (in memory) before the peer is let go, so that it cannot come straight
        // back from the same IP under another name while the bans are being stored.
        var stored = targets.Select(target => _bans.BanAsync(target, _options.BanDuration, code)).ToList();
        Disconnect(peer, $"banned: {code}");
        await Task.WhenAll(stored);

        try
        {
            await _store.RemoveAddressAsync(peer.Address.Value);
        }
        catch (Exception e)
        {
            _log.LogWarning("Could not forget the address of {Peer}: {Reason}", peer, e.Message);
        }
    }

    /// <summary>What a ban of this peer names: its address, its address's IP when routable, and its remote address unless local.</summary>
    private static IEnumerable<string> BanTargets(PeerAddress address, IPAddress? remote)
    {
        yield return address.Value;
        if (address.Ip is { } ip && PeerAddress.IsRoutableIp(ip))
        {
            yield return ip.ToString();
        }

        if (!PeerAddress.IsLocal(remote) && !remote!.Equals(address.Ip))
        {
            yield return remote.ToString();
        }
    }

    /// <summary>Closes the session; false when it was closed already.</summary>
    public bool Disconnect(Peer peer, string reason)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (!_bySession.TryRemove(new KeyValuePair<string, Peer>(peer.SessionIn, peer)))
        {
            return false;
        }

        peer.Close();
        _log.LogInformation("Disconnected from peer {Peer}: {Reason}", peer, reason);
        return true;
    }

    /// <summary>Closes every session with the node at <paramref name="address"/>.</summary>
    public bool Disconnect(string address, string reason)
    {
        var any = false;
        while (FindByAddress(address) is { } peer)
        {
            any |= Disconnect(peer, reason);
        }

        return any;
    }

    /// <summary>Learns addresses a peer gave; each must be a well-formed address the rules allow (<see cref="AddressBook"/>).</summary>
    public int Learn(IEnumerable<string> urls, Peer source)
    {
        ArgumentNullException.ThrowIfNull(urls);
        ArgumentNullException.ThrowIfNull(source);
        var learned = 0;
        foreach (var url in urls.Take(PeerWire.MaxAddresses))
        {
            if (PeerAddress.TryParse(url, out var address, out _) && address.Value != SelfUrl && _book.Add(address, source.Group))
            {
                learned++;
            }
        }

        return learned;
    }

    /// <summary>Addresses worth connecting out to now: the bootstrap list, then the address book's candidates; none connected, banned or this node.</summary>
    public IReadOnlyList<PeerAddress> Candidates(int count)
    {
        var self = SelfUrl;
        bool Skip(PeerAddress a) => a.Value == self || FindByAddress(a.Value) is not null || _bans.IsAnyBanned(BanTargets(a, null));
        var bootstrap = _node.BootstrapNodeList
            .Select(u => PeerAddress.TryParse(u, out var a, out _) ? a : null)
            .OfType<PeerAddress>()
            .Where(a => !Skip(a));
        return [.. bootstrap.Concat(_book.Candidates(count, Skip)).Distinct().Take(count)];
    }

    /// <summary>Drops every session (at shutdown) and waits for their senders.</summary>
    public async Task DisconnectAllAsync()
    {
        Task[] senders;
        lock (_sessions)
        {
            _disposed = true;
            senders = [.. _bySession.Values.Select(p => p.Sender)];
            foreach (var peer in _bySession.Values.ToList())
            {
                Disconnect(peer, "node stopping");
            }
        }

        await Task.WhenAll(senders);

        // A ban in force must also be in the store when the node stops, or a restart would forgive it.
        await _bans.WhenStoredAsync();
    }

    private async Task StoreAddressAsync(PeerAddress address)
    {
        try
        {
            await _store.UpsertAddressAsync(new AddressRecord(address.Value, _chain.Params.Name, _clock.GetUtcNow()));
        }
        catch (Exception e)
        {
            _log.LogWarning("Could not store the address {Address}: {Reason}", address, e.Message);
        }
    }

    private void PrunePending()
    {
        foreach (var (nonce, pending) in _pending)
        {
            if (pending.Expired)
            {
                _pending.TryRemove(nonce, out _);
            }
        }
    }

    // An address that failed to confirm is not called again for 5 s, then 10, 20, 40 and at most 60 s
    // while it keeps failing: strangers naming it get it called about once a minute, and an honest
    // peer whose call back failed during a short outage is heard again within seconds. A confirmation
    // forgets the failures; so does a quiet minute after the last wait.
    private static readonly TimeSpan FirstUnconfirmedWait = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan LongestUnconfirmedWait = TimeSpan.FromMinutes(1);

    private sealed record Unconfirmed(long Since, TimeSpan Wait);

    /// <summary>Measured on the node's timestamps (a socket's time, not chain time; a test's fake clock in the harness).</summary>
    private bool RecentlyUnconfirmed(PeerAddress address, out TimeSpan wait)
    {
        wait = TimeSpan.Zero;
        if (!_unconfirmed.TryGetValue(address.Value, out var entry) || _clock.GetElapsedTime(entry.Since) >= entry.Wait)
        {
            return false;
        }

        wait = entry.Wait - _clock.GetElapsedTime(entry.Since);
        return true;
    }

    private void RememberUnconfirmed(PeerAddress address)
    {
        if (_unconfirmed.Count >= 1_000)
        {
            foreach (var (key, entry) in _unconfirmed)
            {
                if (_clock.GetElapsedTime(entry.Since) >= entry.Wait)
                {
                    _unconfirmed.TryRemove(key, out _);
                }
            }
        }

        var wait = _unconfirmed.TryGetValue(address.Value, out var previous) && _clock.GetElapsedTime(previous.Since) < previous.Wait + LongestUnconfirmedWait
            ? TimeSpan.FromTicks(Math.Min(previous.Wait.Ticks * 2, LongestUnconfirmedWait.Ticks))
            : FirstUnconfirmedWait;
        if (_unconfirmed.Count < 1_000 || previous is not null)
        {
            _unconfirmed[address.Value] = new Unconfirmed(_clock.GetTimestamp(), wait);
        }
    }

    private static PeerRefusal Refuse(int status, string code, string detail) => new(status, code, detail);

    private static bool IsNonce(string? nonce) => nonce is { Length: 32 } && nonce.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    private static string NewToken(int bytes) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));

    private static string Describe(Exception e) => e is OperationCanceledException ? "no answer in time" : e.Message;

    private static string Canonical(string url) => PeerAddress.TryParse(url, out var a, out _) ? a.Value : url.Trim().TrimEnd('/');

    private static string Loopback(string address)
    {
        var uri = address.Replace("://+:", "://127.0.0.1:", StringComparison.Ordinal).Replace("://*:", "://127.0.0.1:", StringComparison.Ordinal)
            .Replace("://0.0.0.0:", "://127.0.0.1:", StringComparison.Ordinal).Replace("://[::]:", "://127.0.0.1:", StringComparison.Ordinal);
        return Canonical(uri);
    }

    public void Dispose()
    {
        lock (_sessions)
        {
            _disposed = true;
            foreach (var peer in _bySession.Values)
            {
                peer.Close();
            }

            _bySession.Clear();
        }
    }

    /// <summary>A handshake this node sent, waiting for its call back.</summary>
    private sealed class Pending(string sessionIn)
    {
        private int _confirmed;

        public string SessionIn { get; } = sessionIn;

        /// <summary>Wall-clock start (a socket's lifetime, not chain time).</summary>
        public long StartedMs { get; } = Environment.TickCount64;

        public bool Expired => Environment.TickCount64 - StartedMs > (long)PendingLifetime.TotalMilliseconds;

        public bool Confirmed => Volatile.Read(ref _confirmed) == 1;

        public void Confirm() => Volatile.Write(ref _confirmed, 1);
    }
}
