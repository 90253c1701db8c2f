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

/// <summary>Something to tell one peer about.</summary>
public abstract record Announcement;

public sealed record BlockAnnouncement(Block Block) : Announcement;

public sealed record TransactionAnnouncement(Transaction Transaction) : Announcement;

/// <summary>
/// A connected peer: what its handshake said, its last known tip, its score, and its outbox — the
/// announcements waiting to be sent to it, in order, by its own sender loop.
/// </summary>
public sealed class Peer
{
    private readonly Channel<Announcement> _outbox;
    private int _score;

    internal Peer(string nodeId, string url, PeerDirection direction, DateTimeOffset connectedSince, int capacity)
    {
        NodeId = nodeId;
        Url = url;
        Direction = direction;
        ConnectedSince = connectedSince;
        _outbox = Channel.CreateBounded<Announcement>(new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    }

    public string NodeId { get; }

    public string Url { get; internal set; }

    public PeerDirection Direction { get; }

    public DateTimeOffset ConnectedSince { get; }

    public int TipHeight { get; private set; } = -1;

    public Hash256? TipHash { get; private set; }

    public int Score => Volatile.Read(ref _score);

    internal CancellationTokenSource Stopping { get; } = new();

    internal ChannelReader<Announcement> Outbox => _outbox.Reader;

    internal Task Sender { get; set; } = Task.CompletedTask;

    internal void SetTip(int height, Hash256? hash)
    {
        TipHeight = height;
        TipHash = hash;
    }

    internal int AddScore(int points) => Interlocked.Add(ref _score, points);

    internal void Enqueue(Announcement announcement) => _outbox.Writer.TryWrite(announcement);

    internal void Close()
    {
        _outbox.Writer.TryComplete();
        Stopping.Cancel();
    }

    public PeerInfo ToInfo() => new(NodeId, Url, Direction == PeerDirection.Inbound ? "inbound" : "outbound", ConnectedSince, TipHeight, TipHash?.ToString(), Score);

    public override string ToString() => $"{NodeId} ({Url})";
}
