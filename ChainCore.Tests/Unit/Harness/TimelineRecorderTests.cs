using ChainCore.Tests.Harness;
using ChainCore.Tests.Harness.Timeline;
using Microsoft.Extensions.Logging;

namespace ChainCore.Tests.Unit.Harness;

[TestFixture, Category("Unit")]
public sealed class TimelineRecorderTests
{
    [Test]
    public void A_nodes_log_entries_become_marks_by_their_message_template_and_point_at_their_line()
    {
        var log = new TestLog();
        var timeline = new TimelineRecorder(log);
        timeline.AddLane("node-0");
        using var provider = log.ProviderFor("node-0");
        var chain = provider.CreateLogger("ChainCore.Node.Chain.ChainEngine");

        chain.LogDebug("Template on {Tip}", "t");
        chain.LogInformation("Tip {Hash} at height {Height} ({Disconnected} disconnected, {Connected} connected)", "aa", 3, 0, 1);
        chain.LogInformation("Tip {Hash} at height {Height} ({Disconnected} disconnected, {Connected} connected)", "bb", 4, 2, 3);
        chain.LogWarning("Refused block {Hash} at height {Height}: {Code} ({Category}) {Message}", "cc", 5, "bad-cb-amount", "Consensus", "too much");
        provider.CreateLogger("ChainCore.Node.Network.ConnectionManager").LogInformation("Connected to peer {Peer}{Replaced}", "node-1", string.Empty);
        chain.LogWarning("Something {Odd}", "odd");

        var events = timeline.Snapshot().Events;
        events.Select(e => e.Kind).ShouldBe([TimelineKind.TipMoved, TimelineKind.Reorg, TimelineKind.BlockRefused, TimelineKind.PeerConnected, TimelineKind.Warning]);
        events.Select(e => e.LogLine).ShouldBe([2L, 3, 4, 5, 6], "each mark points at its own line (line 1 said nothing to draw)");
        events[2].Block.ShouldBe("cc");
        events[2].Label.ShouldBe("Refused block cc at height 5: bad-cb-amount (Consensus) too much");
        events.ShouldAllBe(e => e.Lane == "node-0");
    }

    [Test]
    public void Only_lanes_of_the_test_are_drawn_and_the_tests_lines_are_notes_or_steps()
    {
        var log = new TestLog();
        var timeline = new TimelineRecorder(log);
        using var stranger = log.ProviderFor("stranger-1");

        stranger.CreateLogger("X").LogWarning("Something {Odd}", "odd");
        log.Write("test", LogLevel.Information, "Test", "a note");
        log.Write("test", LogLevel.Information, TimelineRecorder.StepCategory, "a step");

        timeline.Snapshot().Events.Select(e => (e.Lane, e.Kind, e.Label)).ShouldBe([("test", TimelineKind.Note, "a note"), ("test", TimelineKind.Step, "a step")]);
    }

    [Test]
    public void A_full_recorder_drops_its_oldest_events_and_counts_them()
    {
        var timeline = new TimelineRecorder(new TestLog(), capacity: 3);

        for (var i = 0; i < 5; i++)
        {
            timeline.Record("node-0", TimelineKind.Note, $"event {i}");
        }

        var snapshot = timeline.Snapshot();
        snapshot.Events.Select(e => e.Label).ShouldBe(["event 2", "event 3", "event 4"]);
        snapshot.Dropped.ShouldBe(2);
    }

    [Test]
    public void Lanes_keep_the_order_they_were_added_in_once_each_after_the_tests()
    {
        var timeline = new TimelineRecorder(new TestLog());

        timeline.AddLane("node-1");
        timeline.AddLane("node-0");
        timeline.AddLane("node-1");
        timeline.AddLane("miner-0");

        timeline.Lanes.ShouldBe(["test", "node-1", "node-0", "miner-0"]);
        Should.Throw<ArgumentException>(() => timeline.AddLane(" "));
    }
}
