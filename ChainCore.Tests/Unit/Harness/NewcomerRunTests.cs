using System.Diagnostics;
using System.Text.RegularExpressions;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Unit.Harness;

/// <summary>
/// What a newcomer copying the README's commands meets: the node, the miner and the wallet meet on
/// one port, and what running them leaves in the checkout (node data, wallet files) is ignored by git.
/// </summary>
[TestFixture, Category("Unit")]
public sealed partial class NewcomerRunTests
{
    private static string Root => ReportPaths.RepositoryRoot;

    [Test]
    public void The_readmes_node_miner_and_wallet_examples_meet_on_the_apps_default_port()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        var ports = ApiPortFlag().Matches(Section(readme, "Node")).Select(m => m.Groups["port"].Value)
            .Concat(LocalUrl().Matches(Section(readme, "Miner") + Section(readme, "Wallet")).Select(m => m.Groups["port"].Value))
            .ToList();

        ports.Count.ShouldBeGreaterThanOrEqualTo(3, "the node's --api-port and the miner's and wallet's node URLs");
        var defaults = new[] { new ChainCore.Miner.MinerOptions().Node, ChainCore.Wallet.WalletCommands.DefaultNode }.Select(u => new Uri(u).Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        ports.Concat(defaults).Distinct().ShouldHaveSingleItem("every example and default names the same port");
    }

    [TestCase("node-data/node-0-regtest.db")]
    [TestCase("ChainCore.Node/node-data/node-0-regtest.db-wal")]
    [TestCase("alice.json")]
    [TestCase(".devnet/node-0.log")]
    [TestCase("tests/reports/tests.trx")]
    public void What_running_the_apps_leaves_in_the_checkout_is_ignored(string path) =>
        IsIgnored(path).ShouldBeTrue($"git would offer to commit {path}");

    [TestCase("global.json")]
    [TestCase("dotnet-tools.json")]
    [TestCase("ChainCore.Node/appsettings.json")]
    [TestCase("tests/baselines/performance.json")]
    public void Files_of_the_repository_are_not_ignored(string path) =>
        IsIgnored(path).ShouldBeFalse($"{path} belongs to the repository");

    /// <summary>The README's text from the heading <c>## name</c> to the next heading of that level.</summary>
    private static string Section(string readme, string name)
    {
        var start = readme.IndexOf($"\n## {name}\n", StringComparison.Ordinal);
        start.ShouldBeGreaterThan(0, $"the README has no '## {name}' section");
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        return end < 0 ? readme[start..] : readme[start..end];
    }

    private static bool IsIgnored(string path)
    {
        if (!Directory.Exists(Path.Combine(Root, ".git")) && !File.Exists(Path.Combine(Root, ".git")))
        {
            Assert.Ignore("not a git checkout");
        }

        // --no-index: whether the rules ignore the path, whether or not it is tracked or exists.
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Root };
        foreach (var arg in new[] { "check-ignore", "--quiet", "--no-index", path })
        {
            start.ArgumentList.Add(arg);
        }

        using var git = Process.Start(start)!;
        var error = git.StandardError.ReadToEnd();
        git.WaitForExit();
        git.ExitCode.ShouldBeOneOf([0, 1], $"git check-ignore: {error}");
        return git.ExitCode == 0;
    }

    [GeneratedRegex(@"--api-port (?<port>\d+)")]
    private static partial Regex ApiPortFlag();

    [GeneratedRegex(@"http://127\.0\.0\.1:(?<port>\d+)")]
    private static partial Regex LocalUrl();
}
