using System.Globalization;
using ChainCore.Core.Api;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.E2E;

/// <summary>
/// The testing plan's full network lifecycle with real processes: three nodes started from the built
/// executable with the plan's flags on loopback ports, bootstrapped from the first, checked over
/// HTTP, stopped cleanly; nothing is left running, whatever the outcome.
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
    public async Task Three_node_processes_bootstrap_from_the_first_share_mined_blocks_and_stop_cleanly()
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

        var miner = Wallets.NewWallet().Address.ToString();
        for (var i = 0; i < 5; i++)
        {
            await nodes[0].MineBlockAsync(miner);
        }

        await WaitAsync(async () => (await Statuses(nodes)).All(s => s?.BlockchainLength == 6), "all three chains 6 blocks long");
        await nodes[2].MineBlockAsync(miner);
        await WaitAsync(async () => (await Statuses(nodes)).Select(s => s?.TipHash).Distinct().Count() == 1 && (await Statuses(nodes))[0]?.TipHeight == 6, "node 2's block everywhere");

        var statuses = await Statuses(nodes);
        statuses.Select(s => s!.NodeId).ShouldBe(["test_node_0", "test_node_1", "test_node_2"]);
        foreach (var process in _processes)
        {
            (await process.StopAsync()).ShouldBe(0, process.ToString());
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
            async () => _processes.Any(p => p.HasExited) ? throw new InvalidOperationException($"A process exited early:{Environment.NewLine}{string.Join(Environment.NewLine, _processes)}") : await condition(),
            () => Task.FromResult(string.Join(Environment.NewLine, _processes.Select(p => p.Name + ": " + string.Join(" | ", p.Output.Split('\n').TakeLast(5))))),
            TimeSpan.FromSeconds(60),
            CancellationToken.None,
            what);
}
