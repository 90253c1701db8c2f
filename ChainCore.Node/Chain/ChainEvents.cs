using System.Threading.Channels;
using ChainCore.Core.Primitives;

namespace ChainCore.Node.Chain;

/// <summary>A change of the node's state, published after the writer finished it. <see cref="Sequence"/> increases by one per event.</summary>
public abstract record ChainEvent
{
    public long Sequence { get; init; }
}

/// <summary>The best chain's tip moved (after all of a reorg's disconnects and connects).</summary>
public sealed record TipMoved(BlockIndexEntry Tip, BlockIndexEntry PreviousTip) : ChainEvent;

public sealed record BlockConnected(Block Block, BlockIndexEntry Entry) : ChainEvent;

public sealed record BlockDisconnected(Block Block, BlockIndexEntry Entry) : ChainEvent;

public sealed record TransactionAccepted(Transaction Transaction, Amount Fee) : ChainEvent;

public enum RemovalReason
{
    /// <summary>Confirmed by a connected block.</summary>
    Block,

    /// <summary>Spends an output a connected block spent, or descends from such a transaction.</summary>
    Conflict,

    /// <summary>No longer valid after a reorg, or evicted.</summary>
    Dropped,
}

public sealed record TransactionRemoved(Hash256 TxId, RemovalReason Reason) : ChainEvent;

/// <summary>
/// Publishes the chain's changes to any number of subscribers, each with its own bounded channel,
/// as Bitcoin's validation signals: the writer only does a non-blocking write per subscriber, and
/// the consumers (relay, miners' long polls, the dashboard) read off the writer's path.
/// A subscriber that falls behind loses its <b>oldest</b> unread events (drop-oldest); it can tell
/// from a gap in <see cref="ChainEvent.Sequence"/> or from <see cref="Subscription.Dropped"/>, and
/// resynchronise from the engine's current state.
/// Long polls need no subscription: <see cref="WaitForTipChangeAsync"/> completes when the tip is
/// no longer the one the caller knows.
/// </summary>
public sealed class ChainEvents
{
    private readonly Lock _sync = new();
    private readonly List<Subscription> _subscribers = [];
    private Subscription[] _current = [];
    private TaskCompletionSource<BlockIndexEntry> _tipChanged = NewTipSource();
    private volatile BlockIndexEntry? _tip;
    private long _sequence;

    /// <summary>Subscriptions not disposed yet (each one is a queue the writer fills).</summary>
    public int SubscriberCount => Volatile.Read(ref _current).Length;

    /// <summary>A new subscriber receiving every event published from now on; dispose it to stop.</summary>
    public Subscription Subscribe(int capacity = 1_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var subscription = new Subscription(this, capacity);
        lock (_sync)
        {
            _subscribers.Add(subscription);
            _current = [.. _subscribers];
        }

        return subscription;
    }

    /// <summary>
    /// Completes with the new tip as soon as the best chain's tip is not <paramref name="knownTip"/>
    /// (at once if it already is not). Only completed activations count: never a tip half-way through a reorg.
    /// </summary>
    public async Task<BlockIndexEntry> WaitForTipChangeAsync(Hash256 knownTip, CancellationToken ct = default)
    {
        while (true)
        {
            var waiter = Volatile.Read(ref _tipChanged);
            var tip = _tip;
            if (tip is not null && tip.Hash != knownTip)
            {
                return tip;
            }

            await waiter.Task.WaitAsync(ct);
        }
    }

    /// <summary>Writer only, in the order the changes happened.</summary>
    internal void Publish(ChainEvent change)
    {
        var numbered = change with { Sequence = Interlocked.Increment(ref _sequence) };
        foreach (var subscriber in Volatile.Read(ref _current))
        {
            subscriber.Write(numbered);
        }

        if (change is TipMoved moved)
        {
            SetTip(moved.Tip);
        }
    }

    /// <summary>Writer only: the tip long polls compare against (set at start without an event).</summary>
    internal void SetTip(BlockIndexEntry tip)
    {
        _tip = tip;
        var previous = Interlocked.Exchange(ref _tipChanged, NewTipSource());
        previous.TrySetResult(tip);
    }

    private void Unsubscribe(Subscription subscription)
    {
        lock (_sync)
        {
            _subscribers.Remove(subscription);
            _current = [.. _subscribers];
        }
    }

    private static TaskCompletionSource<BlockIndexEntry> NewTipSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>One subscriber's bounded queue of events.</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly ChainEvents _owner;
        private readonly Channel<ChainEvent> _channel;
        private long _dropped;

        internal Subscription(ChainEvents owner, int capacity)
        {
            _owner = owner;
            // Stryker disable once Boolean : SingleWriter only lets the channel skip a lock; a channel without the promise behaves the same
            _channel = Channel.CreateBounded<ChainEvent>(
                new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleWriter = true },
                _ => Interlocked.Increment(ref _dropped));
        }

        public ChannelReader<ChainEvent> Reader => _channel.Reader;

        /// <summary>Events this subscriber lost because it fell behind.</summary>
        public long Dropped => Interlocked.Read(ref _dropped);

        internal void Write(ChainEvent change) => _channel.Writer.TryWrite(change);

        public void Dispose()
        {
            _owner.Unsubscribe(this);
            _channel.Writer.TryComplete();
        }
    }
}
