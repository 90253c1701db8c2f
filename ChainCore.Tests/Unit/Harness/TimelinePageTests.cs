using ChainCore.Tests.Harness.Timeline;

namespace ChainCore.Tests.Unit.Harness;

[TestFixture, Category("Unit")]
public sealed class TimelinePageTests
{
    private static readonly DateTime Start = new(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    [Test]
    public void Every_node_and_miner_has_a_labelled_lane_even_when_nothing_happened_on_it()
    {
        var snapshot = Snapshot(["test", "node-0", "node-1", "node-2", "miner-1"], At(100, "node-1", TimelineKind.TipMoved, "Tip 1"));

        var page = TimelinePageReader.Elements(TimelinePage.Render(snapshot, [], "T"));

        page.Lanes().ShouldBe(["test", "node-0", "node-1", "node-2", "miner-1"]);
        page.Where(e => e.HasClass("lane-label")).Select(e => e["data-lane"]).ShouldBe(page.Lanes());
        page.OfKind("tip").ShouldHaveSingleItem()["data-lane"].ShouldBe("node-1");
    }

    [Test]
    public void Markup_in_labels_lane_names_and_log_lines_is_shown_as_text_never_as_markup()
    {
        const string Hostile = "<script>alert('x')</script>";
        var snapshot = Snapshot(["test", "node-0", Hostile], At(10, "node-0", TimelineKind.PeerConnected, $"Connected to peer {Hostile}", line: 1), At(20, Hostile, TimelineKind.Warning, "\"quoted\" & <b>bold</b>", line: 2));
        (long, string)[] log = [(1, $"00:00:00.010 node-0 INF ConnectionManager: Connected to peer {Hostile}"), (2, "00:00:00.020 x WRN Y: </script><script>alert(2)</script>")];

        var html = TimelinePage.Render(snapshot, log, $"Test {Hostile}");

        html.ShouldNotContain("<script>alert", Case.Insensitive);
        html.ShouldNotContain("<b>bold", Case.Insensitive);
        html.ShouldNotContain("</script><script>", Case.Insensitive);
        var page = TimelinePageReader.Elements(html);
        page.Lanes().ShouldContain(Hostile);
        page.OfKind("peer-connected").ShouldHaveSingleItem().Title.ShouldEndWith($"node-0: Connected to peer {Hostile}");
        page.OfKind("warning").ShouldHaveSingleItem().Title.ShouldEndWith("\"quoted\" & <b>bold</b>");
    }

    [Test]
    public void A_timeline_over_the_cap_keeps_its_latest_events_and_says_how_many_it_left_out()
    {
        var events = Enumerable.Range(0, 50).Select(i => At(i * 10, "node-0", TimelineKind.TipMoved, $"Tip {i}")).ToArray();
        var snapshot = Snapshot(["test", "node-0"], events) with { Dropped = 7 };

        var capped = TimelinePage.Render(snapshot, [], "T", maxEvents: 10);
        var whole = TimelinePage.Render(snapshot with { Dropped = 0 }, [], "T");

        var page = TimelinePageReader.Elements(capped);
        page.OfKind("tip").Select(e => e.Title![(e.Title!.LastIndexOf(' ') + 1)..]).ShouldBe([.. Enumerable.Range(40, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        page.ShouldContain(e => e["id"] == "capped");
        capped.ShouldContain("the 47 earliest events are left out");
        TimelinePageReader.Elements(whole).OfKind("tip").Count.ShouldBe(50);
        TimelinePageReader.Elements(whole).ShouldNotContain(e => e["id"] == "capped");
    }

    [Test]
    public void The_log_lines_embedded_are_capped_to_the_latest()
    {
        var log = Enumerable.Range(1, 30).Select(i => ((long)i, $"00:00:00.000 node-0 INF C: line {i}")).ToList();

        var html = TimelinePage.Render(Snapshot(["test", "node-0"]), log, "T", maxLogLines: 5);

        html.ShouldContain("line 30");
        html.ShouldContain("line 26");
        html.ShouldNotContain("line 25\"");
        html.ShouldContain("The 25 earliest log lines are left out");
    }

    [Test]
    public void Long_log_lines_are_cut_and_the_embedded_log_stays_within_its_size()
    {
        var log = Enumerable.Range(1, 5_000).Select(i => ((long)i, $"00:00:00.000 node-0 INF C: {i} " + new string('x', 10_000))).ToList();

        var html = TimelinePage.Render(Snapshot(["test", "node-0"]), log, "T");

        html.Length.ShouldBeLessThan(5_000_000);
        html.ShouldContain("node-0 INF C: 5000 xxx");
        html.ShouldContain("earliest log lines are left out");
        html.ShouldNotContain(new string('x', 2_001));
    }

    [Test]
    public void A_block_is_drawn_as_mined_on_the_node_that_mined_it_or_whose_miner_did_and_as_received_elsewhere()
    {
        var snapshot = Snapshot(
            ["test", "node-0", "node-1", "miner-1"],
            At(10, "node-0", TimelineKind.BlockConnected, "connected block 1 a", block: "a"),
            At(11, "node-0", TimelineKind.BlockMined, "mined block 1 a", block: "a"),
            At(12, "node-1", TimelineKind.BlockConnected, "connected block 1 a", block: "a"),
            At(20, "node-1", TimelineKind.BlockConnected, "connected block 2 b", block: "b"),
            At(21, "miner-1", TimelineKind.BlockMined, "node-1 accepted block 2 b", block: "b", node: "node-1"),
            At(22, "node-0", TimelineKind.BlockConnected, "connected block 2 b", block: "b"));

        var page = TimelinePageReader.Elements(TimelinePage.Render(snapshot, [], "T"));

        page.OfKind("block-mined", "node-0").Select(e => e.Title).ShouldHaveSingleItem()!.ShouldEndWith("connected block 1 a", customMessage: "mined here: drawn once, not twice");
        page.OfKind("block-received", "node-0").ShouldHaveSingleItem().Title!.ShouldEndWith("block 2 b");
        page.OfKind("block-received", "node-1").ShouldHaveSingleItem().Title!.ShouldEndWith("block 1 a");
        page.OfKind("block-mined", "node-1").ShouldHaveSingleItem().Title!.ShouldEndWith("block 2 b");
        page.OfKind("block-mined", "miner-1").ShouldHaveSingleItem();
    }

    [Test]
    public void A_partition_is_shaded_until_the_heal_and_a_stopped_node_until_it_restarts()
    {
        var snapshot = Snapshot(
            ["test", "node-0", "node-1"],
            At(0, "node-0", TimelineKind.NodeStarted, "node-0 started"),
            At(1_000, "test", TimelineKind.Partition, "partition: node-0 | node-1"),
            At(2_000, "node-1", TimelineKind.NodeStopped, "node-1 stopped"),
            At(3_000, "test", TimelineKind.Heal, "every link healed"),
            At(4_000, "node-1", TimelineKind.NodeRestarted, "node-1 restarted on its own data"),
            At(5_000, "test", TimelineKind.Partition, "partition: node-1 | node-0"),
            At(6_000, "node-0", TimelineKind.NodeStopped, "node-0 stopped"),
            At(8_000, "test", TimelineKind.Note, "the end"));

        var page = TimelinePageReader.Elements(TimelinePage.Render(snapshot, [], "T"));

        page.OfKind("partition").Select(e => (e["data-t"], e["data-t2"])).ShouldBe([("1000", "3000"), ("5000", "8000")]);
        page.OfKind("partition")[1].Title.ShouldEndWith("(not healed)");
        page.OfKind("down", "node-1").ShouldHaveSingleItem()["data-t2"].ShouldBe("4000");
        page.OfKind("down", "node-0").ShouldHaveSingleItem()["data-t2"].ShouldBe("8000", "down until the end");
        page.OfKind("node-stopped").Count.ShouldBe(2);
        page.Where(e => e.HasClass("mark") && e["data-kind"] is "partition" or "heal").ShouldBeEmpty("partitions are bands, not marks");
    }

    [Test]
    public void Every_text_on_the_page_is_redacted()
    {
        var snapshot = Snapshot(["test", "node-0"], At(1, "node-0", TimelineKind.Warning, "could not connect with Password=hunter2", line: 1));

        var html = TimelinePage.Render(snapshot, [(1, "00:00:00.001 node-0 WRN C: Password=hunter2")], "T", text => text.Replace("hunter2", "***", StringComparison.Ordinal));

        html.ShouldNotContain("hunter2");
        html.ShouldContain("Password=***");
    }

    private static TimelineSnapshot Snapshot(IReadOnlyList<string> lanes, params TimelineEvent[] events) => new(Start, lanes, events, 0);

    private static TimelineEvent At(int ms, string lane, TimelineKind kind, string label, long line = 0, string? block = null, string? node = null) =>
        new(Start.AddMilliseconds(ms), lane, kind, label, line, block, node);
}
