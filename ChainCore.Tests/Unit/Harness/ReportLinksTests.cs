using ChainCore.Tests.Harness.Timeline;

namespace ChainCore.Tests.Unit.Harness;

[TestFixture, Category("Unit")]
public sealed class ReportLinksTests
{
    [Test]
    public void A_timeline_address_in_a_reports_message_becomes_a_link_once()
    {
        const string Url = "file:///work/tests/reports/failures/A.B.C_x_/timeline.html";
        var report = $"<pre>Failing on purpose.\n{TimelineEvidence.MessagePrefix}{Url}\nSeed: 1</pre><pre>file:///elsewhere.html</pre>";

        var linked = ReportLinks.LinkTimelines(report);

        linked.ShouldBe($"<pre>Failing on purpose.\n{TimelineEvidence.MessagePrefix}<a href=\"{Url}\">{Url}</a>\nSeed: 1</pre><pre>file:///elsewhere.html</pre>");
        ReportLinks.LinkTimelines(linked).ShouldBe(linked);
    }
}
