using System.Collections.Concurrent;
using System.Globalization;
using ChainCore.Core.Mining;
using ChainCore.Node.Chain;
using Microsoft.Extensions.Logging;

namespace ChainCore.Tests.Harness.Timeline;

/// <summary>
/// Collects, while a network test runs, what its failure timeline draws (<see cref="TimelinePage"/>):
/// the harness reports the test's own steps, nodes started and stopped, partitions and heals, blocks
/// mined and its miners' events; each node's chain events give the blocks it connected; the nodes'
/// log entries, read by their message templates as they are written, give tips, refusals, peers and
/// warnings. Bounded like the log (the oldest events go first) and only ever written out when the
/// test failed, so a passing test pays for a few small records and one reader per node.
/// </summary>
public sealed class TimelineRecorder
{
    public const int DefaultCapacity = 20_000;

    /// <summary>The lane of the test's own steps.</summary>
    public const string TestLane = "test";

    private readonly ConcurrentQueue<TimelineEvent> _events = new();
    private readonly Lock _laneChange = new();

    // Read on every log entry of every node: swapped whole, never changed in place.
    private volatile string[] _lanes = [TestLane];
    private readonly int _capacity;
    private long _dropped;

    public TimelineRecorder(TestLog log, int capacity = DefaultCapacity)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Log = log;
        _capacity = capacity;
        log.Timeline = this;
    }

    /// <summary>The merged log this timeline reads and points into.</summary>
    public TestLog Log { get; }

    public DateTime Started { get; } = DateTime.UtcNow;

    /// <summary>Events dropped because the recorder was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public IReadOnlyList<string> Lanes => _lanes;

    /// <summary>Adds a lane (a node or a miner), drawn even if nothing happens on it; lanes keep the order they were added in.</summary>
    public void AddLane(string lane)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(lane);
        lock (_laneChange)
        {
            if (!_lanes.Contains(lane))
            {
                _lanes = [.. _lanes, lane];
            }
        }
    }

    public bool HasLane(string lane) => _lanes.Contains(lane);

    /// <summary>Records a mark on <paramref name="lane"/> now, pointing at the log's current line.</summary>
    public void Record(string lane, TimelineKind kind, string label, string? block = null, string? node = null) =>
        Add(new TimelineEvent(DateTime.UtcNow, lane, kind, label, Log.Written, block, node));

    public void Partition(IEnumerable<IEnumerable<string>> groups) =>
        Record(TestLane, TimelineKind.Partition, "partition: " + string.Join(" | ", groups.Select(g => string.Join(", ", g))));

    public void Healed() => Record(TestLane, TimelineKind.Heal, "every link healed");

    public void NodeStarted(string node, bool restarted) =>
        Record(node, restarted ? TimelineKind.NodeRestarted : TimelineKind.NodeStarted, restarted ? $"{node} restarted on its own data" : $"{node} started");

    public void NodeStopped(string node) => Record(node, TimelineKind.NodeStopped, $"{node} stopped");

    public void BlockMined(string node, string hash, int height) =>
        Record(node, TimelineKind.BlockMined, string.Create(CultureInfo.InvariantCulture, $"mined block {height} {hash}"), hash);

    /// <summary>A miner's event: a block its node accepted or refused, or its node unreachable (templates are left out: too many).</summary>
    public void Miner(string miner, string node, MiningEvent change)
    {
        switch (change)
        {
            case BlockAccepted accepted:
                Record(miner, TimelineKind.BlockMined, string.Create(CultureInfo.InvariantCulture, $"{node} accepted block {accepted.Height} {accepted.Hash}"), accepted.Hash.ToString(), node);
                break;
            case BlockRefused refused:
                Record(miner, TimelineKind.BlockRefused, string.Create(CultureInfo.InvariantCulture, $"{node} refused block {refused.Height} {refused.Hash}: {refused.Code} {refused.Message}"), refused.Hash.ToString(), node);
                break;
            case NodeUnreachable unreachable:
                Record(miner, TimelineKind.Unreachable, $"{node} unreachable: {unreachable.Message}", node: node);
                break;
        }
    }

    /// <summary>Records the blocks <paramref name="lane"/>'s chain connects and disconnects until the returned subscription is disposed.</summary>
    public IDisposable Watch(string lane, ChainEvents events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var subscription = events.Subscribe(capacity: 10_000);
        _ = Task.Run(async () =>
        {
            // Ends when the subscription is disposed: its channel completes.
            await foreach (var change in subscription.Reader.ReadAllAsync())
            {
                switch (change)
                {
                    case BlockConnected connected:
                        Record(lane, TimelineKind.BlockConnected, string.Create(CultureInfo.InvariantCulture, $"connected block {connected.Entry.Height} {connected.Entry.Hash}"), connected.Entry.Hash.ToString());
                        break;
                    case BlockDisconnected disconnected:
                        Record(lane, TimelineKind.BlockDisconnected, string.Create(CultureInfo.InvariantCulture, $"disconnected block {disconnected.Entry.Height} {disconnected.Entry.Hash}"), disconnected.Entry.Hash.ToString());
                        break;
                }
            }
        });
        return subscription;
    }

    /// <summary>Called by the log for every entry: a lane's entry that says something the timeline draws becomes a mark.</summary>
    public void Observe(TestLogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Source == TestLane)
        {
            Add(new TimelineEvent(entry.Time, TestLane, entry.Category == StepCategory ? TimelineKind.Step : TimelineKind.Note, entry.Message, entry.Number));
            return;
        }

        if (!HasLane(entry.Source) || KindOf(entry) is not { } kind)
        {
            return;
        }

        Add(new TimelineEvent(entry.Time, entry.Source, kind, entry.Message, entry.Number, entry.Field("Hash")));
    }

    /// <summary>The log category of <see cref="TestNetwork.Step"/>'s lines (the test's notes have "Test").</summary>
    public const string StepCategory = "Step";

    public TimelineSnapshot Snapshot()
    {
        var events = _events.ToArray();
        // Recorded from several threads: in time order for the page (stable for equal times).
        return new TimelineSnapshot(Started, Lanes, [.. events.OrderBy(e => e.Time)], Dropped);
    }

    private static TimelineKind? KindOf(TestLogEntry entry) => entry.Template switch
    {
        "Tip {Hash} at height {Height} ({Disconnected} disconnected, {Connected} connected)" =>
            entry.Field("Disconnected") is { } d && d != "0" ? TimelineKind.Reorg : TimelineKind.TipMoved,
        "Refused block {Hash} at height {Height}: {Code} ({Category}) {Message}" => TimelineKind.BlockRefused,
        "Refused {Request}: {Code} {Message}" or "Peer {Peer} broke the protocol: {Code} {Message}" => TimelineKind.Refused,
        { } t when t.StartsWith("Refused handshake from", StringComparison.Ordinal) => TimelineKind.Refused,
        { } t when t.StartsWith("Banned peer", StringComparison.Ordinal) => TimelineKind.PeerBanned,
        "Connected to peer {Peer}{Replaced}" => TimelineKind.PeerConnected,
        "Disconnected from peer {Peer}: {Reason}" => TimelineKind.PeerDisconnected,
        { } t when t.StartsWith("Catching up {Count} blocks", StringComparison.Ordinal) => TimelineKind.CatchUp,
        _ => entry.Level switch
        {
            LogLevel.Warning => TimelineKind.Warning,
            LogLevel.Error or LogLevel.Critical => TimelineKind.Error,
            _ => null,
        },
    };

    private void Add(TimelineEvent e)
    {
        _events.Enqueue(e);
        while (_events.Count > _capacity && _events.TryDequeue(out _))
        {
            Interlocked.Increment(ref _dropped);
        }
    }
}
