using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ChainCore.Core.Api;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Core.Serialization;
using ChainCore.Node.Network;

namespace ChainCore.Tests.Harness;

/// <summary>A request a node sent to a <see cref="TestPeer"/>.</summary>
public sealed record PeerRequest(HttpMethod Method, string Path, string Query, string Body, string? Session)
{
    public override string ToString() => $"{Method} {Path}{Query}";
}

/// <summary>
/// The test acting as a peer (Bitcoin Core's <c>P2PInterface</c>): a host of its own on the network's
/// in-memory router, at an address it chooses and seen by the nodes from a remote address it chooses.
/// It handshakes with a node — completing the handshake, or breaking it on purpose — announces crafted
/// blocks and transactions and serves them when the node fetches them, answers the node's requests as
/// the test tells it (slowly, hugely, never), records every request the node sends it, and waits on
/// what the node does with the harness's bounded waits. It is a stranger: nothing it claims is believed.
/// </summary>
public sealed class TestPeer : IAsyncDisposable
{
    private static int _count;

    private readonly TestNetwork _net;
    private readonly ConcurrentQueue<PeerRequest> _received = new();
    private readonly ConcurrentDictionary<string, string> _pendingNonces = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, string> _sessionAt = new();
    private readonly ConcurrentDictionary<string, byte> _sessionsGiven = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Hash256, Block> _blocks = new();
    private readonly ConcurrentDictionary<Hash256, Transaction> _transactions = new();
    private Hash256? _tip;
    private readonly HttpClient _http;

    private TestPeer(TestNetwork net, string name, PeerAddress address, IPAddress remote)
    {
        _net = net;
        Name = name;
        Address = address;
        Remote = remote;
        Host = $"test-peer-{Interlocked.Increment(ref _count)}";
        net.Router.SetRemoteAddress(Host, remote);
        net.Router.Register(address.Uri.Authority, _ => new Server(this));
        _http = new HttpClient(net.Router.HandlerFor(Host)) { Timeout = TestEnvironment.Scaled(TimeSpan.FromSeconds(30)) };
    }

    /// <summary>The name it gives in handshakes (it may be anyone's).</summary>
    public string Name { get; }

    /// <summary>The address it says it listens on, and does.</summary>
    public PeerAddress Address { get; }

    /// <summary>The remote address nodes see on its calls.</summary>
    public IPAddress Remote { get; }

    /// <summary>Its name as a source on the router.</summary>
    public string Host { get; }

    /// <summary>Whether it confirms the call back of its handshakes (false: it breaks them).</summary>
    public bool ConfirmsHandshakes { get; set; } = true;

    /// <summary>Answers a request before the default behaviour does; null leaves it to the default.</summary>
    public Func<PeerRequest, CancellationToken, Task<HttpResponseMessage?>>? Respond { get; set; }

    /// <summary>Every request the nodes sent it, in order.</summary>
    public IReadOnlyList<PeerRequest> Received => [.. _received];

    /// <summary>
    /// A peer at <paramref name="address"/> (default <c>http://name</c>), seen from <paramref name="remote"/>
    /// (default loopback); not connected yet.
    /// </summary>
    public static TestPeer Create(TestNetwork net, string? name = null, string? address = null, IPAddress? remote = null)
    {
        ArgumentNullException.ThrowIfNull(net);
        name ??= $"peer-{Interlocked.Increment(ref _count)}";
        // Its own address by default: a name it claims must never make it the host of someone else's.
        return new TestPeer(net, name, PeerAddress.Parse(address ?? $"http://{name}-{Interlocked.Increment(ref _count)}.test"), remote ?? IPAddress.Loopback);
    }

    /// <summary>A peer that handshakes with node <paramref name="to"/> and is connected when this returns.</summary>
    public static async Task<TestPeer> ConnectAsync(TestNetwork net, int to, string? name = null, string? address = null, IPAddress? remote = null)
    {
        var peer = Create(net, name, address, remote);
        var response = await peer.HandshakeAsync(to);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{peer.Name}'s handshake with {TestNetwork.NameOf(to)} was refused: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        return peer;
    }

    /// <summary>Sends a handshake to node <paramref name="to"/> claiming <paramref name="url"/> (default its own address); the node's raw answer.</summary>
    public async Task<HttpResponseMessage> HandshakeAsync(int to, string? url = null, string? network = null, string? genesis = null, string? name = null)
    {
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var session = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        _pendingNonces[nonce] = session;
        var tip = Status();
        var hello = new PeerHello(name ?? Name, url ?? Address.Value, network ?? "regtest", genesis ?? ConsensusParams.Regtest.GenesisHash.ToString(), tip.TipHeight, tip.TipHash, nonce);
        _net.Note($"{Name} sends a handshake to {TestNetwork.NameOf(to)} claiming {hello.Url}");
        var response = await _http.PostAsJsonAsync(new Uri(TestNetwork.UrlOf(to) + "/peers"), hello, ApiJson.Options);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            // Read as text (from the buffer), so the test can still read the answer itself.
            var welcome = JsonSerializer.Deserialize<PeerWelcome>(await response.Content.ReadAsStringAsync(), ApiJson.Options)!;
            _sessionAt[to] = welcome.Session;
            _sessionsGiven[session] = 0;
        }

        return response;
    }

    /// <summary>The session token node <paramref name="node"/> gave it.</summary>
    public string SessionAt(int node) => _sessionAt.TryGetValue(node, out var s) ? s : throw new InvalidOperationException($"{Name} has no session with {TestNetwork.NameOf(node)}.");

    /// <summary>Whether node <paramref name="node"/> still has its session.</summary>
    public bool IsConnectedTo(int node) =>
        _net.IsRunning(node) && _sessionAt.TryGetValue(node, out var s) && _net.Peers(node).FindBySession(s) is not null;

    /// <summary>Serves <paramref name="block"/> and announces it to node <paramref name="to"/> by its header; the node fetches it before the answer comes.</summary>
    public Task<HttpResponseMessage> SendBlockAsync(int to, Block block, string? claiming = null)
    {
        ArgumentNullException.ThrowIfNull(block);
        Serve(block);
        return AnnounceAsync(to, [block.Header], [], claiming);
    }

    /// <summary>Serves <paramref name="transaction"/> and announces it to node <paramref name="to"/> by its id.</summary>
    public Task<HttpResponseMessage> SendTransactionAsync(int to, Transaction transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        _transactions[transaction.TxId] = transaction;
        return AnnounceAsync(to, [], [transaction.TxId]);
    }

    /// <summary>
    /// Announces headers and txids. <paramref name="claiming"/> adds a header naming another peer, as a
    /// stranger would to frame it: sessions, not names, decide who is charged.
    /// </summary>
    public async Task<HttpResponseMessage> AnnounceAsync(int to, IReadOnlyList<BlockHeader> headers, IReadOnlyList<Hash256> txids, string? claiming = null)
    {
        var message = new InventoryMessage([.. headers.Select(h => Hex.Encode(h.Serialize()))], [.. txids.Select(t => t.ToString())]);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(TestNetwork.UrlOf(to) + "/p2p/announce"))
        {
            Content = JsonContent.Create(message, options: ApiJson.Options),
        };
        request.Headers.TryAddWithoutValidation(P2pHeaders.Session, _sessionAt.GetValueOrDefault(to, string.Empty));
        if (claiming is not null)
        {
            request.Headers.TryAddWithoutValidation("ChainCore-Peer-Id", claiming);
        }

        _net.Note($"{Name} announces {headers.Count} header(s) and {txids.Count} transaction(s) to {TestNetwork.NameOf(to)}{(claiming is null ? string.Empty : $", claiming to be {claiming}")}");
        return await _http.SendAsync(request);
    }

    /// <summary>Any request to node <paramref name="to"/>, with its session (or <paramref name="session"/> instead).</summary>
    public async Task<HttpResponseMessage> SendAsync(int to, HttpMethod method, string pathAndQuery, HttpContent? content = null, string? session = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(TestNetwork.UrlOf(to) + pathAndQuery)) { Content = content };
        request.Headers.TryAddWithoutValidation(P2pHeaders.Session, session ?? _sessionAt.GetValueOrDefault(to, string.Empty));
        return await _http.SendAsync(request);
    }

    /// <summary>Makes <paramref name="block"/> available to nodes that ask for it; the block served last is its tip.</summary>
    public void Serve(Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        _blocks[block.Hash] = block;
        _tip = block.Hash;
    }

    /// <summary>Its chain: from the tip back through the blocks it serves, oldest first, and the height of the block before the first.</summary>
    private (List<Block> Blocks, int BaseHeight) Chain()
    {
        var blocks = new List<Block>();
        var at = _tip;
        while (at is { } hash && _blocks.TryGetValue(hash, out var block))
        {
            blocks.Add(block);
            at = block.Header.PreviousHash;
        }

        blocks.Reverse();
        var baseHash = at ?? ConsensusParams.Regtest.GenesisHash;
        var baseHeight = Enumerable.Range(0, _net.Count).Where(_net.IsRunning).Select(i => _net[i].FindBlock(baseHash)?.Height).FirstOrDefault(h => h is not null) ?? 0;
        return (blocks, baseHeight);
    }

    public Task WaitForRequestAsync(Func<PeerRequest, bool> match, string description, TimeSpan? timeout = null) =>
        _net.WaitUntilAsync(() => _received.Any(match), $"{Name} to receive {description}; it received [{string.Join(", ", _received.Select(r => r.ToString()).TakeLast(20))}]", timeout);

    /// <summary>Waits until node <paramref name="node"/> has dropped its session.</summary>
    public Task WaitForDisconnectAsync(int node, TimeSpan? timeout = null) =>
        _net.WaitUntilAsync(() => !IsConnectedTo(node), $"{TestNetwork.NameOf(node)} to drop {Name}", timeout);

    /// <summary>Waits until a node announces the block <paramref name="hash"/> to it.</summary>
    public Task WaitForBlockAnnouncementAsync(Hash256 hash, TimeSpan? timeout = null) =>
        WaitForRequestAsync(r => r.Path == "/p2p/announce" && r.Body.Contains(Hex.Encode(BlockHeaderOf(hash)), StringComparison.Ordinal), $"an announcement of block {hash}", timeout);

    private byte[] BlockHeaderOf(Hash256 hash)
    {
        foreach (var node in Enumerable.Range(0, _net.Count).Where(_net.IsRunning))
        {
            if (_net[node].FindBlock(hash) is { } entry)
            {
                return entry.Header.Serialize();
            }
        }

        return _blocks.TryGetValue(hash, out var block) ? block.Header.Serialize() : throw new InvalidOperationException($"No node knows block {hash}.");
    }

    public ValueTask DisposeAsync()
    {
        _net.Router.Unregister(Address.Uri.Authority);
        _http.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<HttpResponseMessage> HandleAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(ct);
        var session = request.Headers.TryGetValues(P2pHeaders.Session, out var values) ? values.FirstOrDefault() : null;
        var recorded = new PeerRequest(request.Method, request.RequestUri!.AbsolutePath, request.RequestUri.Query, body, session);
        _received.Enqueue(recorded);
        if (Respond is { } respond && await respond(recorded, ct) is { } custom)
        {
            return custom;
        }

        return recorded switch
        {
            { Path: "/peers/confirm" } => Confirm(body),
            { Path: "/peers" } when request.Method == HttpMethod.Post => await AcceptAsync(body, ct),
            { Path: "/status" or "/p2p/status" } => Json(Status()),
            { Path: "/p2p/addresses" } => Json(new AddressesResponse(0, [])),
            { Path: "/p2p/headers" } => Json(HeadersAfter(recorded.Query)),
            { Path: "/p2p/announce" } => new HttpResponseMessage(HttpStatusCode.NoContent),
            _ when recorded.Path.StartsWith("/p2p/blocks/", StringComparison.Ordinal) && Hash256.TryParse(recorded.Path["/p2p/blocks/".Length..], out var b) && _blocks.TryGetValue(b, out var block)
                => Text(block.ToHex()),
            _ when recorded.Path.StartsWith("/p2p/transactions/", StringComparison.Ordinal) && Hash256.TryParse(recorded.Path["/p2p/transactions/".Length..], out var t) && _transactions.TryGetValue(t, out var tx)
                => Text(tx.ToHex()),
            _ => new HttpResponseMessage(HttpStatusCode.NotFound),
        };
    }

    private HttpResponseMessage Confirm(string body)
    {
        var confirm = JsonSerializer.Deserialize<PeerConfirmRequest>(body, ApiJson.Options);
        return ConfirmsHandshakes && confirm?.Nonce is { } nonce && _pendingNonces.TryRemove(nonce, out var session)
            ? Json(new PeerConfirmation(session))
            : new HttpResponseMessage(HttpStatusCode.NotFound);
    }

    /// <summary>A node connects to this peer: it calls the node back, as a real node would, and welcomes it.</summary>
    private async Task<HttpResponseMessage> AcceptAsync(string body, CancellationToken ct)
    {
        var hello = JsonSerializer.Deserialize<PeerHello>(body, ApiJson.Options)!;
        var confirm = await _http.PostAsJsonAsync(new Uri(hello.Url + "/peers/confirm"), new PeerConfirmRequest(hello.Nonce, Name), ApiJson.Options, ct);
        if (!confirm.IsSuccessStatusCode)
        {
            return new HttpResponseMessage(HttpStatusCode.Forbidden);
        }

        var given = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        _sessionsGiven[given] = 0;
        var node = Enumerable.Range(0, _net.Count).FirstOrDefault(i => TestNetwork.UrlOf(i) == hello.Url, -1);
        if (node >= 0)
        {
            _sessionAt[node] = (await confirm.Content.ReadFromJsonAsync<PeerConfirmation>(ApiJson.Options, ct))!.Session;
        }

        var tip = Status();
        return Json(new PeerWelcome(Name, Address.Value, "regtest", ConsensusParams.Regtest.GenesisHash.ToString(), tip.TipHeight, tip.TipHash, given));
    }

    private StatusResponse Status()
    {
        var (blocks, baseHeight) = Chain();
        var height = baseHeight + blocks.Count;
        var tip = blocks.Count > 0 ? blocks[^1].Hash : ConsensusParams.Regtest.GenesisHash;
        return new StatusResponse(Name, "regtest", height + 1, height, tip.ToString(), 1, _transactions.Count, 1, "207fffff", ConsensusParams.Regtest.GenesisHash.ToString());
    }

    private HeadersResponse HeadersAfter(string query)
    {
        var locator = Uri.UnescapeDataString(query.TrimStart('?').Replace("locator=", string.Empty, StringComparison.Ordinal)).Split(',');
        var (chain, _) = Chain();
        var start = 0;
        foreach (var hash in locator)
        {
            var at = chain.FindIndex(b => b.Hash.ToString() == hash);
            if (at >= 0)
            {
                start = at + 1;
                break;
            }
        }

        var headers = chain.Skip(start).Take(PeerWire.MaxHeaders).Select(b => Hex.Encode(b.Header.Serialize())).ToList();
        return new HeadersResponse(headers.Count, headers);
    }

    private static HttpResponseMessage Json<T>(T value) => new(HttpStatusCode.OK) { Content = JsonContent.Create(value, options: ApiJson.Options) };

    private static HttpResponseMessage Text(string text) => new(HttpStatusCode.OK) { Content = new StringContent(text, Encoding.ASCII, "text/plain") };

    /// <summary>The peer's side of the wire: requests routed to its address land here.</summary>
    private sealed class Server(TestPeer peer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            peer.HandleAsync(request, cancellationToken);
    }
}
