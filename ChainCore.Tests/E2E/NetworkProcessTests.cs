using System.Globalization;
using ChainCore.Core.Api;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.E2E;

/// <summary>
/// The testing plan's full network lifecycle with real processes: three nodes started from the built
/// executable with the plan's flags on loopback ports, bootstrapped from the first, a miner process
/// mining into the first for a few seconds, every node checked over HTTP, everything stopped
/// cleanly; nothing is left running, whatever the outcome.
/// </summary>
[TestFixture, Category("E2E"), Category("Network")]
public sealed class NetworkProcessTests
{
    private readonly List<AppProcess> _processes = [];
    private readonly List<HttpClient> _clients = [];
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Path.Combine(TestEnvironment.ScratchDirectory, "network-e2e-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public async Task StopEverythingAsync()
    {
        if (FailureEvidence.CurrentTestFailed)
        {
            foreach (var process in _processes)
            {
                await TestContext.Out.WriteLineAsync(process.ToString());
            }
        }

        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        foreach (var client in _clients)
        {
            client.Dispose();
        }

        _processes.Where(p => p.IsAlive).Select(p => p.Name).ShouldBeEmpty("nothing is left running");
        _processes.Clear();
        _clients.Clear();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task Three_node_processes_and_a_miner_process_share_one_chain_and_stop_cleanly()
    {
        var apiPorts = Enumerable.Range(0, 3).Select(_ => AppProcess.FreePort()).ToArray();
        var p2pPorts = Enumerable.Range(0, 3).Select(_ => AppProcess.FreePort()).ToArray();
        var nodes = new NodeClient[3];
        for (var i = 0; i < 3; i++)
        {
            var args = new List<string>
            {
                "--node-id", $"test_node_{i}",
                "--network", "regtest",
                "--api-port", apiPorts[i].ToString(CultureInfo.InvariantCulture),
                "--p2p-port", p2pPorts[i].ToString(CultureInfo.InvariantCulture),
                "--data-dir", Path.Combine(_directory, $"node-{i}"),
            };
            if (i > 0)
            {
                args.AddRange(["--bootstrap-nodes", $"http://localhost:{apiPorts[0]}"]);
            }

            _processes.Add(AppProcess.Start($"node-{i}", "ChainCore.Node", args));
            var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPorts[i]}/"), Timeout = TimeSpan.FromSeconds(10) };
            _clients.Add(http);
            nodes[i] = new NodeClient(http);
        }

        await WaitAsync(async () => (await Statuses(nodes)).All(s => s is not null), "every node answers /status");
        await WaitAsync(async () => (await Statuses(nodes)) is [{ ActivePeers: 2 }, { ActivePeers: >= 1 }, { ActivePeers: >= 1 }], "node 0 connected to both others");

        var payee = Wallets.NewWallet().Address.ToString();
        var miner = AppProcess.Start("miner", "ChainCore.Miner", ["--node", $"http://localhost:{apiPorts[0]}", "--address", payee, "--workers", "1", "--timeout", "3"]);
        _processes.Add(miner);
        await Waits.WaitUntilAsync(() => miner.HasExited, () => miner.ToString(), TimeSpan.FromSeconds(60));
        (await miner.StopAsync()).ShouldBe(0, miner.ToString());
        await WaitAsync(async () => (await Statuses(nodes)) is var s && s.All(x => x?.BlockchainLength > 1) && s.Select(x => x?.TipHash).Distinct().Count() == 1, "the miner's blocks on every node");

        var height = (await nodes[0].GetStatusAsync()).TipHeight;
        await nodes[2].MineBlockAsync(payee);
        await WaitAsync(async () => (await Statuses(nodes)) is var s && s.All(x => x?.TipHeight == height + 1) && s.Select(x => x?.TipHash).Distinct().Count() == 1, "node 2's block everywhere");

        var statuses = await Statuses(nodes);
        statuses.Select(s => s!.NodeId).ShouldBe(["test_node_0", "test_node_1", "test_node_2"]);
        foreach (var process in _processes)
        {
            // The miner has exited by itself (0); the nodes are stopped: cleanly, or killed where there is no signal to ask with.
            (await process.StopAsync()).ShouldBe(process == miner ? 0 : AppProcess.StoppedExitCode, process.ToString());
        }
    }

    private static async Task<StatusResponse?[]> Statuses(NodeClient[] nodes) =>
        await Task.WhenAll(nodes.Select(async n =>
        {
            try
            {
                return await n.GetStatusAsync();
            }
            catch (HttpRequestException)
            {
                return null;
            }
            catch (TaskCanceledException)
            {
                return null;
            }
        }));

    private Task WaitAsync(Func<Task<bool>> condition, string what) =>
        Waits.WaitUntilAsync(
            async () => _processes.Any(p => p.HasExited && p.Name.StartsWith("node", StringComparison.Ordinal)) ? throw new InvalidOperationException($"A process exited early:{Environment.NewLine}{string.Join(Environment.NewLine, _processes)}") : await condition(),
            () => Task.FromResult(string.Join(Environment.NewLine, _processes.Select(p => p.Name + ": " + string.Join(" | ", p.Output.Split('\n').TakeLast(5))))),
            TimeSpan.FromSeconds(60),
            CancellationToken.None,
            what);
}
