using ChainCore.Tests.Harness;
using Microsoft.Extensions.Logging;

namespace ChainCore.Tests.Unit.Harness;

[TestFixture, Category("Unit")]
public sealed class TestLogTests
{
    [Test]
    public void Lines_of_several_sources_make_one_timestamped_prefixed_stream()
    {
        var log = new TestLog();
        using var node0 = log.ProviderFor("node-0");
        using var node1 = log.ProviderFor("node-1");

        node0.CreateLogger("ChainCore.Node.Chain.ChainEngine").LogDebug("Tip {Height}", 5);
        node1.CreateLogger("ChainCore.Node.Network.ConnectionManager").LogWarning("Dropped {Peer}", "node-0");

        log.Lines.Count.ShouldBe(2);
        log.Lines[0].ShouldMatch(@"^\d\d:\d\d:\d\d\.\d\d\d node-0 DBG ChainEngine: Tip 5$");
        log.Lines[1].ShouldEndWith("node-1 WRN ConnectionManager: Dropped node-0");
    }

    [Test]
    public void A_full_log_drops_its_oldest_lines_and_says_so()
    {
        var log = new TestLog(capacity: 3);

        for (var i = 0; i < 5; i++)
        {
            log.Write("node-0", LogLevel.Information, "Test", $"line {i}");
        }

        log.Lines.Select(l => l[(l.LastIndexOf(':') + 2)..]).ShouldBe(["line 2", "line 3", "line 4"]);
        log.Dropped.ShouldBe(2);
        log.ToString().ShouldStartWith("(2 earlier lines dropped)");
    }

    [Test]
    public void An_exception_is_kept_with_its_line()
    {
        var log = new TestLog();

        log.Write("node-0", LogLevel.Error, "Store", "write failed", new InvalidOperationException("disk full"));

        log.ToString().ShouldContain("node-0 ERR Store: write failed");
        log.ToString().ShouldContain("disk full");
    }

    [TestCase("A.B.Test(1,\"x y\")", "A.B.Test_1__x_y__")]
    [TestCase("Plain.Name", "Plain.Name")]
    public void Failure_folders_are_named_safely_for_every_file_system(string testName, string folder) =>
        ReportPaths.FolderNameFor(testName).ShouldBe(folder);

    [Test]
    public void A_long_test_name_is_cut_and_kept_unique()
    {
        var a = ReportPaths.FolderNameFor(new string('a', 300) + "1");
        var b = ReportPaths.FolderNameFor(new string('a', 300) + "2");

        a.Length.ShouldBe(120);
        a.ShouldNotBe(b);
    }
}
