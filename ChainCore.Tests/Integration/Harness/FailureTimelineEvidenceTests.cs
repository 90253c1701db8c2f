using System.Xml.Linq;
using ChainCore.Tests.Harness;
using ChainCore.Tests.Harness.Timeline;

namespace ChainCore.Tests.Integration.Harness;

/// <summary>A failing network test's evidence has its timeline, attached and named in the result the html report shows: checked on a child run of a test that fails on purpose.</summary>
[TestFixture, Category("Integration"), Category("Slow")]
public sealed class FailureTimelineEvidenceTests
{
    [Test]
    public async Task A_failing_network_test_keeps_a_timeline_attached_to_it_and_named_in_its_html_report()
    {
        var work = Directory.CreateTempSubdirectory("chaincore-timeline-evidence-").FullName;
        try
        {
            var reports = Path.Combine(work, "reports");
            var (exitCode, transcript) = await ChildProcesses.RunTestsAsync(
                $"FullyQualifiedName~{nameof(FailingNetworkOnPurposeTests)}",
                work,
                new Dictionary<string, string> { [FailingOnPurposeTests.Guard] = "1", [ReportPaths.EnvironmentVariable] = reports }, "html;LogFileName=child.html");

            exitCode.ShouldNotBe(0, transcript);
            var trx = XDocument.Load(Path.Combine(work, "child.trx"));
            XNamespace ns = trx.Root!.Name.NamespaceName;
            var result = trx.Descendants(ns + "UnitTestResult").ShouldHaveSingleItem(transcript);
            result.Attribute("outcome")!.Value.ShouldBe("Failed");
            result.Descendants(ns + "ResultFile").Select(f => Path.GetFileName(f.Attribute("path")!.Value)).ShouldContain(TimelineEvidence.FileName);
            var message = result.Descendants(ns + "Message").ShouldHaveSingleItem().Value;
            message.ShouldStartWith("Failing on purpose", customMessage: "the test's own message comes first");

            var kept = Directory.GetDirectories(Path.Combine(reports, "failures")).ShouldHaveSingleItem();
            var page = Path.Combine(kept, TimelineEvidence.FileName);
            message.ShouldContain(TimelineEvidence.MessagePrefix + new Uri(page).AbsoluteUri);
            var report = Path.Combine(work, "child.html");
            (await File.ReadAllTextAsync(report)).ShouldContain(TimelineEvidence.MessagePrefix + new Uri(page).AbsoluteUri, customMessage: "the html report shows the page's address");
            ReportLinks.LinkTimelinesIn(report).ShouldBeGreaterThan(0);
            var linked = await File.ReadAllTextAsync(report);
            linked.ShouldContain($"<a href=\"{new Uri(page).AbsoluteUri}\">", customMessage: "scripts/test.sh makes it a link");
            linked.ShouldNotContain(TimelineEvidence.MessagePrefix + "file://", customMessage: "every mention of it, under failures and under all results");

            var elements = TimelinePageReader.Elements(await File.ReadAllTextAsync(page));
            elements.Lanes().ShouldBe([TimelineRecorder.TestLane, "node-0", "node-1"]);
            elements.OfKind("partition").ShouldHaveSingleItem();
            elements.OfKind("node-restarted", "node-1").ShouldHaveSingleItem();
            elements.OfKind("block-mined", "node-0").Count.ShouldBe(2);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}

/// <summary>Fails on purpose, only when run by <see cref="FailureTimelineEvidenceTests"/> (explicit, and guarded by an environment variable).</summary>
[TestFixture, Category("Integration"), Explicit("Fails on purpose; run by FailureTimelineEvidenceTests")]
public sealed class FailingNetworkOnPurposeTests : NetworkTestBase
{
    [Test]
    public async Task Fails_after_a_partition_and_a_restart()
    {
        if (Environment.GetEnvironmentVariable(FailingOnPurposeTests.Guard) != "1")
        {
            Assert.Ignore($"Fails on purpose; runs only with {FailingOnPurposeTests.Guard}=1.");
        }

        var net = await StartNetworkAsync(2, Topology.Line, new TestNetworkOptions { Store = StoreKind.Sqlite });
        net.Partition([0], [1]);
        await net.MineAsync(0, 2, sync: false);
        await net.StopNodeAsync(1);
        await net.RestartNodeAsync(1);
        await net.HealAsync();

        Assert.Fail("Failing on purpose, to leave a timeline behind.");
    }
}
