using System.Diagnostics;
using System.Xml.Linq;
using ChainCore.Tests.Harness;

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
            var start = new ProcessStartInfo(ChildProcesses.Dotnet)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in new[] { "test", ChildProcesses.TestAssembly, "--filter", $"FullyQualifiedName~{nameof(FailingOnPurposeTests)}", "--results-directory", work, "--logger", "trx;LogFileName=child.trx" })
            {
                start.ArgumentList.Add(a);
            }

            start.Environment[FailingOnPurposeTests.Guard] = "1";
            start.Environment[ReportPaths.EnvironmentVariable] = reports;
            using var child = Process.Start(start)!;
            var output = child.StandardOutput.ReadToEndAsync();
            var errors = child.StandardError.ReadToEndAsync();
            await child.WaitForExitAsync().WaitAsync(Timeouts.Scale(TimeSpan.FromMinutes(3)));
            var transcript = await output + await errors;

            child.ExitCode.ShouldNotBe(0, transcript);
            var trx = XDocument.Load(Path.Combine(work, "child.trx"));
            XNamespace ns = trx.Root!.Name.NamespaceName;
            var result = trx.Descendants(ns + "UnitTestResult").ShouldHaveSingleItem(transcript);
            result.Attribute("outcome")!.Value.ShouldBe("Failed");
            var attached = result.Descendants(ns + "ResultFile").Select(f => Path.GetFileName(f.Attribute("path")!.Value)).ToList();
            attached.ShouldContain("nodes.log");
            attached.ShouldContain("state.txt");

            var kept = Directory.GetDirectories(Path.Combine(reports, "failures")).ShouldHaveSingleItem();
            Path.GetFileName(kept).ShouldContain(nameof(FailingOnPurposeTests.Fails_after_mining_two_blocks));
            var log = await File.ReadAllTextAsync(Path.Combine(kept, "nodes.log"));
            log.ShouldContain(" node-0 INF ");
            log.ShouldContain("at height 2");
            (await File.ReadAllTextAsync(Path.Combine(kept, "state.txt"))).ShouldContain("node-0: tip 2 ");
            Directory.GetFiles(Path.Combine(kept, "node-0"), "*", SearchOption.AllDirectories).ShouldNotBeEmpty("the node's SQLite folder is kept");
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
    public async Task Fails_after_mining_two_blocks()
    {
        if (Environment.GetEnvironmentVariable(Guard) != "1")
        {
            Assert.Ignore($"Fails on purpose; runs only with {Guard}=1.");
        }

        var node = await StartNodeAsync(StoreKind.Sqlite);
        await node.MineAsync(2, Wallets.NewWallet().Address.ToString());

        Assert.Fail("Failing on purpose, to leave evidence behind.");
    }
}
