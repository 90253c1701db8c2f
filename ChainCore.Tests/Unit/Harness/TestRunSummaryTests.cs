using System.Xml.Linq;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Unit.Harness;

[TestFixture, Category("Unit")]
public sealed class TestRunSummaryTests
{
    private string _dir = null!;

    [SetUp]
    public void CreateFolder() => _dir = Directory.CreateTempSubdirectory("chaincore-trx-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void The_passes_of_a_run_are_counted_together_and_their_slowest_tests_listed_slowest_first()
    {
        var coverage = Trx("tests.trx", passed: 2, failed: 1, total: 4, executed: 3,
            ("Fast", "00:00:00.0100000"), ("Reorg_to_heavier_branch_restores_spent_outputs", "00:00:12.5000000"), ("Quoted(\"a & b\")", "00:00:01.2500000"));
        var performance = Trx("performance.trx", passed: 1, failed: 0, total: 1, executed: 1, ("Single_worker_hash_rate", "00:01:05.0000000"));

        var summary = TestRunSummary.Read([coverage, performance, Path.Combine(_dir, "absent.trx")], slowest: 3);
        using var output = new StringWriter();

        summary.Print(output).ShouldBe(0);
        (summary.Passed, summary.Failed, summary.Skipped).ShouldBe((3, 1, 1));
        summary.Slowest.Select(s => s.Name).ShouldBe(["Single_worker_hash_rate", "Reorg_to_heavier_branch_restores_spent_outputs", "Quoted(\"a & b\")"]);
        output.ToString().ShouldContain("    65.00 s  Single_worker_hash_rate");
        output.ToString().ShouldEndWith($"Tests: 3 passed, 1 failed, 1 skipped{Environment.NewLine}");
    }

    [Test]
    public void A_run_where_no_test_ran_says_so_by_its_exit_code()
    {
        var summary = TestRunSummary.Read([Trx("tests.trx", passed: 0, failed: 0, total: 0, executed: 0)]);

        summary.Print(TextWriter.Null).ShouldBe(1);
        TestRunSummary.Read([Path.Combine(_dir, "absent.trx")]).Print(TextWriter.Null).ShouldBe(1);
    }

    private string Trx(string name, int passed, int failed, int total, int executed, params (string Name, string Duration)[] results)
    {
        XNamespace ns = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";
        var run = new XElement(ns + "TestRun",
            new XElement(ns + "Results", results.Select(r => new XElement(ns + "UnitTestResult",
                new XAttribute("testName", r.Name), new XAttribute("duration", r.Duration), new XAttribute("outcome", "Passed")))),
            new XElement(ns + "ResultSummary",
                new XElement(ns + "Counters",
                    new XAttribute("total", total), new XAttribute("executed", executed),
                    new XAttribute("passed", passed), new XAttribute("failed", failed))));
        var path = Path.Combine(_dir, name);
        run.Save(path);
        return path;
    }
}
