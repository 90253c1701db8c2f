using ChainCore.Tests.Harness;
using ChainCore.Tests.Harness.Timeline;

namespace ChainCore.Tests.Integration.Harness;

/// <summary>A real network story drawn as a failed test's timeline: every lane, the partition, the restart, the blocks.</summary>
[TestFixture, Category("Integration"), Category("Network")]
public sealed class FailureTimelineTests
{
    [Test]
    public async Task A_network_story_draws_a_lane_per_node_and_miner_with_its_partition_and_restart()
    {
        var work = Directory.CreateTempSubdirectory("chaincore-timeline-").FullName;
        try
        {
            var story = await TimelineScenario.WriteAsync(work);
            var html = await File.ReadAllTextAsync(story.Path);
            var page = TimelinePageReader.Elements(html);

            page.Lanes().ShouldBe([TimelineRecorder.TestLane, .. story.Nodes, .. story.Miners]);
            page.Where(e => e.HasClass("lane-label")).Select(e => e["data-lane"]).ShouldBe(page.Lanes(), "every lane is labelled");
            page.OfKind("partition").ShouldHaveSingleItem("one partition band, from the cut to the heal").Title.ShouldStartWith("partition: node-0, node-1 | node-2");
            page.OfKind("down", "node-1").ShouldHaveSingleItem("node-1 is down between its stop and its restart");
            page.OfKind("node-stopped", "node-1").ShouldHaveSingleItem();
            page.OfKind("node-restarted", "node-1").ShouldHaveSingleItem();
            page.OfKind("node-started").Count.ShouldBe(story.Nodes.Count);
            page.OfKind("step", TimelineRecorder.TestLane).Count.ShouldBe(6, "every step the story named");
            page.OfKind("block-mined", "node-0").Count.ShouldBeGreaterThanOrEqualTo(4, "2 before the cut, 1 during it, the miner's");
            page.OfKind("block-mined", "node-2").Count.ShouldBe(2, "node-2's branch during the cut");
            page.OfKind("block-received", "node-1").ShouldNotBeEmpty("node-1 mines nothing, it receives");
            page.OfKind("reorg", "node-0").ShouldNotBeEmpty("node-0 switches to node-2's heavier branch once healed");
            page.OfKind("block-mined", "miner-0").ShouldNotBeEmpty();
            page.OfKind("tip", "node-2").ShouldNotBeEmpty();

            html.ShouldNotContain(TimelineScenario.HostilePeerName, Case.Sensitive, "markup from a peer is escaped");
            page.Any(e => e.Title?.Contains(TimelineScenario.HostilePeerName, StringComparison.Ordinal) == true).ShouldBeTrue("the stranger's name is on the page, as text");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
