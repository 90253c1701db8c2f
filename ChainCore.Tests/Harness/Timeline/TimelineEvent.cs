using Microsoft.Extensions.Logging;

namespace ChainCore.Tests.Harness.Timeline;

/// <summary>What a mark on the failure timeline stands for.</summary>
public enum TimelineKind
{
    /// <summary>A line the test wrote into the merged log (<see cref="TestNetwork.Note"/>).</summary>
    Note,

    /// <summary>A step the test named (<see cref="TestNetwork.Step"/>; chaos runs name each of theirs).</summary>
    Step,

    /// <summary>Links between groups cut; lasts until the next <see cref="Heal"/>.</summary>
    Partition,

    /// <summary>Every link up again.</summary>
    Heal,

    NodeStarted,

    /// <summary>Started again on its own data.</summary>
    NodeRestarted,

    /// <summary>Stopped; the node is down until it restarts.</summary>
    NodeStopped,

    TipMoved,

    /// <summary>The tip moved with blocks disconnected.</summary>
    Reorg,

    BlockConnected,

    BlockDisconnected,

    /// <summary>Mined on this node (through <c>/mine_block</c>) or accepted from this lane's miner.</summary>
    BlockMined,

    BlockRefused,

    /// <summary>A request, a handshake or a peer's message refused.</summary>
    Refused,

    PeerConnected,

    PeerDisconnected,

    PeerBanned,

    CatchUp,

    Warning,

    Error,

    /// <summary>A miner could not reach its node.</summary>
    Unreachable,
}

/// <summary>
/// One mark on a lane. <see cref="LogLine"/> is the merged log's line number at that moment (the
/// line itself for marks read off a log entry), so the page can show the lines around it;
/// <see cref="Block"/> the hash of the block it concerns; <see cref="Node"/> a miner's node.
/// </summary>
public sealed record TimelineEvent(DateTime Time, string Lane, TimelineKind Kind, string Label, long LogLine, string? Block = null, string? Node = null);

/// <summary>What the recorder held when asked: the lanes in order, the events in time order, and how many were dropped.</summary>
public sealed record TimelineSnapshot(DateTime Started, IReadOnlyList<string> Lanes, IReadOnlyList<TimelineEvent> Events, long Dropped);

/// <summary>A log entry as it was written, fields included (a node's structured values, <c>{OriginalFormat}</c> among them).</summary>
public sealed record TestLogEntry(long Number, DateTime Time, string Source, LogLevel Level, string Category, string Message, IReadOnlyList<KeyValuePair<string, object?>>? Fields)
{
    /// <summary>The message template the entry was written with, or null for a plain line.</summary>
    public string? Template => Field("{OriginalFormat}");

    public string? Field(string name) =>
        Fields?.FirstOrDefault(f => f.Key == name).Value is { } value ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) : null;
}
