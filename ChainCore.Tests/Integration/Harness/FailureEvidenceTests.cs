using System.Xml.Linq;
using ChainCore.Tests.Harness;
using ChainCore.Tests.Harness.Postgres;

namespace ChainCore.Tests.Integration.Harness;

/// <summary>A failing test with a node leaves evidence: checked on a child run of a test that fails on purpose.</summary>
[TestFixture, Category("Integration"), Category("Slow")]
public sealed class FailureEvidenceTests
{
    [Test]
    public async Task A_failing_node_test_has_its_log_attached_and_its_data_kept()
    {
        var work = Directory.CreateTempSubdirectory("chaincore-evidence-").FullName;
        try
        {
            var reports = Path.Combine(work, "reports");
            var (exitCode, transcript) = await ChildProcesses.RunTestsAsync(
                $"FullyQualifiedName~{nameof(FailingOnPurposeTests)}",
                work,
                new Dictionary<string, string> { [FailingOnPurposeTests.Guard] = "1", [ReportPaths.EnvironmentVariable] = reports });

            exitCode.ShouldNotBe(0, transcript);
            var trx = XDocument.Load(Path.Combine(work, "child.trx"));
            XNamespace ns = trx.Root!.Name.NamespaceName;
            var results = trx.Descendants(ns + "UnitTestResult").ToList();
            results.Count.ShouldBe(2, transcript);
            foreach (var result in results)
            {
                result.Attribute("outcome")!.Value.ShouldBe("Failed");
                var attached = result.Descendants(ns + "ResultFile").Select(f => Path.GetFileName(f.Attribute("path")!.Value)).ToList();
                attached.ShouldContain("nodes.log");
                attached.ShouldContain("state.txt");
            }

            var kept = Directory.GetDirectories(Path.Combine(reports, "failures"));
            kept.Length.ShouldBe(2);
            foreach (var dir in kept)
            {
                Path.GetFileName(dir).ShouldContain(nameof(FailingOnPurposeTests.Fails_after_mining_two_blocks));
                var log = await File.ReadAllTextAsync(Path.Combine(dir, "nodes.log"));
                log.ShouldContain(" node-0 INF ");
                log.ShouldContain("at height 2");
                (await File.ReadAllTextAsync(Path.Combine(dir, "state.txt"))).ShouldContain("node-0: tip 2 ");
            }

            var sqlite = kept.Single(d => d.Contains("Sqlite", StringComparison.Ordinal));
            Directory.GetFiles(Path.Combine(sqlite, "node-0"), "*", SearchOption.AllDirectories).ShouldNotBeEmpty("the node's SQLite folder is kept");
            var postgres = kept.Single(d => d.Contains("Postgres", StringComparison.Ordinal));
            var dumps = Directory.GetFiles(Path.Combine(postgres, "node-0.postgres"), "*.csv");
            dumps.ShouldNotBeEmpty("the node's PostgreSQL tables are dumped");
            var state = await File.ReadAllTextAsync(Path.Combine(postgres, "state.txt"));
            state.ShouldContain("Password=" + ConnectionStrings.Mask);
            System.Text.RegularExpressions.Regex.Matches(state, "Password=([^;\\s]*)").Select(m => m.Groups[1].Value).ShouldAllBe(p => p == ConnectionStrings.Mask, "only redacted connection strings");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}

/// <summary>Fails on purpose, only when run by <see cref="FailureEvidenceTests"/> (explicit, and guarded by an environment variable).</summary>
[TestFixture, Category("Integration"), Explicit("Fails on purpose; run by FailureEvidenceTests")]
public sealed class FailingOnPurposeTests : NodeTestBase
{
    public const string Guard = "CHAINCORE_FAIL_ON_PURPOSE";

    [Test]
    public async Task Fails_after_mining_two_blocks([Values] StoreKind store)
    {
        if (Environment.GetEnvironmentVariable(Guard) != "1")
        {
            Assert.Ignore($"Fails on purpose; runs only with {Guard}=1.");
        }

        var node = await StartNodeAsync(store);
        await node.MineAsync(2, Wallets.NewWallet().Address.ToString());

        Assert.Fail("Failing on purpose, to leave evidence behind.");
    }
}
