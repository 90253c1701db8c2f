using System.Net;
using System.Threading.Channels;
using ChainCore.Core.Primitives;

namespace ChainCore.Node.Network;

public enum PeerDirection
{
    /// <summary>The peer connected to this node.</summary>
    Inbound,

    /// <summary>This node connected to the peer.</summary>
    Outbound,
}

/// <summary>Something to tell one peer about: a block by its header, a transaction by its id.</summary>
public abstract record Announcement;

public sealed record BlockAnnouncement(BlockHeader Header) : Announcement;

public sealed record TransactionAnnouncement(Hash256 TxId) : Announcement;

/// <summary>
/// One session with another node, made by a handshake whose address was confirmed: the address the
/// peer proved it listens on (its key), the name it gave (for display only), the session tokens
/// each side presents to the other, what this node has seen of it (tip, score, latency, novel
/// blocks and transactions) and its outbox of announcements, sent in order by its own sender.
/// </summary>
public sealed class Peer
{
    private readonly Channel<Announcement> _outbox;
    private int _score;
    private int _senderStarted;

    internal Peer(string nodeId, PeerAddress address, PeerDirection direction, IPAddress? remote, string sessionIn, string sessionOut, DateTimeOffset connectedSince, int capacity)
    {
        NodeId = nodeId;
        Address = address;
        Direction = direction;
        Remote = remote;
        SessionIn = sessionIn;
        SessionOut = sessionOut;
        ConnectedSince = connectedSince;
        _outbox = Channel.CreateBounded<Announcement>(new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    }

    /// <summary>The name the peer gave itself: shown, never trusted.</summary>
    public string NodeId { get; }

    /// <summary>The address the peer proved it listens on: what identifies it, and what a ban names.</summary>
    public PeerAddress Address { get; }

    public string Url => Address.Value;

    public PeerDirection Direction { get; }

    /// <summary>The remote end of an inbound connection, when known (null for in-memory hosts and outbound peers).</summary>
    public IPAddress? Remote { get; }

    /// <summary>The token this peer presents on its calls to this node.</summary>
    internal string SessionIn { get; }

    /// <summary>The token this node presents on its calls to the peer.</summary>
    internal string SessionOut { get; }

    public DateTimeOffset ConnectedSince { get; }

    public int TipHeight { get; private set; } = -1;

    public Hash256? TipHash { get; private set; }

    public int Score => Volatile.Read(ref _score);

    /// <summary>The last tip check's round trip.</summary>
    public TimeSpan? Latency { get; internal set; }

    /// <summary>When the peer last gave this node a block it did not have (on this node's clock).</summary>
    public DateTimeOffset? LastNovelBlock { get; internal set; }

    /// <summary>When the peer last gave this node a transaction it accepted.</summary>
    public DateTimeOffset? LastNovelTransaction { get; internal set; }

    /// <summary>The address group eviction and diversity count it in: its remote address's when not local, else its address's.</summary>
    /// <summary>Blocks and transactions this peer is known to have (it announced them or sent them): never announced to it.</summary>
    internal RecentHashes Known { get; } = new(5_000);

    public string Group => PeerAddress.IsLocal(Remote) ? Address.Group : PeerAddress.GroupOf(Remote, Address.Host);

    internal CancellationTokenSource Stopping { get; } = new();

    internal ChannelReader<Announcement> Outbox => _outbox.Reader;

    internal Task Sender { get; private set; } = Task.CompletedTask;

    internal bool IsClosed => Stopping.IsCancellationRequested;

    internal void SetTip(int height, Hash256? hash)
    {
        TipHeight = height;
        TipHash = hash;
    }

    internal int AddScore(int points) => Interlocked.Add(ref _score, points);

    /// <summary>Queues <paramref name="announcement"/>; the sender starts with the first one.</summary>
    internal void Enqueue(Announcement announcement, Func<Peer, Task> sender)
    {
        if (_outbox.Writer.TryWrite(announcement) && Interlocked.Exchange(ref _senderStarted, 1) == 0)
        {
            Sender = Task.Run(() => sender(this), CancellationToken.None);
        }
    }

    internal void Close()
    {
        _outbox.Writer.TryComplete();
        Stopping.Cancel();
    }

    public PeerInfo ToInfo() => new(
        NodeId,
        Url,
        Direction == PeerDirection.Inbound ? "inbound" : "outbound",
        ConnectedSince,
        TipHeight,
        TipHash?.ToString(),
        Score,
        Remote?.ToString(),
        Latency?.TotalMilliseconds,
        LastNovelBlock);

    public override string ToString() => $"{NodeId} ({Url}, {(Direction == PeerDirection.Inbound ? "inbound" : "outbound")})";
}
