using System.Diagnostics;
using ChainCore.Core.Api;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.E2E;

/// <summary>
/// The wallet and the node as a person runs them: two processes talking over a real port, the node on
/// regtest's defaults (coinbase maturity 100, embedded SQLite), the wallet's default passphrase cost.
/// </summary>
[TestFixture, Category("E2E")]
public sealed class WalletCliProcessTests
{
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Path.Combine(TestEnvironment.ScratchDirectory, "chaincore-wallet-e2e-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task Wallet_process_pays_from_mined_coins_through_a_node_process_and_reports_an_unreachable_node()
    {
        var port = AppProcess.FreePort();
        var nodeUrl = $"http://127.0.0.1:{port}";
        var alice = Path.Combine(_directory, "alice.json");
        var bob = Path.Combine(_directory, "bob.json");
        var secret = new Dictionary<string, string> { ["CHAINCORE_WALLET_PASSPHRASE"] = "correct horse" };
        // The node's clock moves one target spacing per block mined, so chain time never runs ahead of it.
        var time = MockTime.Now();
        string[] nodeArgs = ["--network", "regtest", "--api-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--data-dir", Path.Combine(_directory, "node"), "--node-id", "wallet-e2e", .. MockTime.Flag(time)];
        await using (var node = AppProcess.Start("node", "ChainCore.Node", nodeArgs))
        {
            using var http = new HttpClient { BaseAddress = new Uri(nodeUrl + "/") };
            var client = new NodeClient(http);
            await Waits.WaitUntilAsync(() => AnswersAsync(client, node), () => Task.FromResult(node.ToString()), TimeSpan.FromSeconds(60));

            (await RunWalletAsync(["create", "--passphrase", "--wallet", alice], secret)).ExitCode.ShouldBe(0);
            (await RunWalletAsync(["create", "--wallet", bob])).ExitCode.ShouldBe(0);
            var aliceAddress = (await RunWalletAsync(["address", "--wallet", alice])).Out.Trim();
            var bobAddress = (await RunWalletAsync(["address", "--wallet", bob])).Out.Trim();
            time = await MockTime.MineAsync(http, aliceAddress, blocks: 101, start: time);

            var wrong = await RunWalletAsync(["send", "--wallet", alice, "--node", nodeUrl, "--to", bobAddress, "--amount", "7"],
                new Dictionary<string, string> { ["CHAINCORE_WALLET_PASSPHRASE"] = "guess" });
            wrong.ExitCode.ShouldBe(5, wrong.ToString());
            var sent = await RunWalletAsync(["send", "--wallet", alice, "--node", nodeUrl, "--to", bobAddress, "--amount", "7", "--fee", "0.1"], secret);
            sent.ExitCode.ShouldBe(0, sent.ToString());
            (await client.GetMempoolAsync()).Count.ShouldBe(1);
            await MockTime.MineAsync(http, aliceAddress, blocks: 1, start: time);

            var balance = await RunWalletAsync(["balance", "--wallet", bob, "--node", nodeUrl]);
            balance.ExitCode.ShouldBe(0, balance.ToString());
            balance.Out.ShouldContain("Confirmed:  7.00000000 CHC");
            (await RunWalletAsync(["history", "--wallet", alice, "--node", nodeUrl])).Out.ShouldContain("-7.10000000 CHC");
        }

        var unreachable = await RunWalletAsync(["balance", "--wallet", bob, "--node", nodeUrl]);
        unreachable.ExitCode.ShouldBe(4, unreachable.ToString());
        unreachable.Error.ShouldContain($"Cannot reach the node at {nodeUrl}");
    }

    private static async Task<CliRun> RunWalletAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(ChildProcesses.Dotnet) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(AppProcess.ProjectOutput("ChainCore.Wallet"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the wallet.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TestEnvironment.Scaled(TimeSpan.FromSeconds(60)));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The wallet did not finish: {string.Join(' ', args)}");
        }

        return new CliRun(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Whether the node process answers /status yet; a process that exited fails the test with its output.</summary>
    private static async Task<bool> AnswersAsync(NodeClient client, AppProcess node)
    {
        node.HasExited.ShouldBeFalse(node.ToString());
        try
        {
            await client.GetStatusAsync();
            return true;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
