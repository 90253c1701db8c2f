using System.Diagnostics;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Performance;

/// <summary>
/// How long a block takes to cross a 5-node line in process (four hops: receive, validate, store,
/// connect, relay), on both stores. Measured from the moment node-0 accepted its block to the moment
/// node-4's tip is that block, via node-4's change channel. Figures are recorded, not asserted.
/// </summary>
[TestFixture, Category("Performance"), Category("Network")]
public sealed class BlockPropagationPerformanceTests : NetworkTestBase
{
    [Test]
    public async Task Block_propagation_latency_across_a_five_node_line([Values] StoreKind store)
    {
        const int Blocks = 40;
        var net = await StartNetworkAsync(5, Topology.Line, new TestNetworkOptions { Store = store });
        await net.MineAsync(node: 0, blocks: 3);
        var latencies = new List<double>(Blocks);
        var last = net[4].Chain;

        for (var i = 0; i < Blocks; i++)
        {
            var mined = await net[0].MineAsync(1, net.Wallet(0).Address.ToString());
            var watch = Stopwatch.StartNew();
            var hash = ChainCore.Core.Primitives.Hash256.Parse(mined[0].Hash);
            using var limit = new CancellationTokenSource(Timeouts.Scale(TimeSpan.FromSeconds(30)));
            while (last.Tip.Hash != hash)
            {
                await last.WaitForTipChangeAsync(last.Tip.Hash, limit.Token);
            }

            latencies.Add(watch.Elapsed.TotalMilliseconds);
        }

        latencies.Sort();
        double Percentile(double p) => latencies[(int)Math.Min(latencies.Count - 1, Math.Ceiling(p * latencies.Count) - 1)];
        var figures = new Dictionary<string, double>
        {
            ["p50_ms"] = Percentile(0.50),
            ["p95_ms"] = Percentile(0.95),
            ["max_ms"] = latencies[^1],
            ["per_hop_p50_ms"] = Percentile(0.50) / 4,
            ["blocks"] = Blocks,
        };
        PerformanceReport.Record($"block-propagation-5-node-line-{store.ToString().ToLowerInvariant()}", figures, "in process, routed in memory; one block at a time, measured from node-0's acceptance to node-4's tip");
        await TestContext.Out.WriteLineAsync($"{store}: p50 {figures["p50_ms"]:0.0} ms, p95 {figures["p95_ms"]:0.0} ms, max {figures["max_ms"]:0.0} ms over {Blocks} blocks");
    }
}
