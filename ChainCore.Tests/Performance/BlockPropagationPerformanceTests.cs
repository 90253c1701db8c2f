using System.Diagnostics;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Performance;

/// <summary>
/// How long a block takes to cross a 5-node line in process (four hops: receive, validate, store,
/// connect, relay), on both stores. Each block is connected on node-0 directly (timed: one local
/// connect of the same block, the reference) and then timed from that moment to the moment node-4's
/// tip is that block, via node-4's change channel. The hop's time over the local connect's judges the
/// relay on any machine; the milliseconds are information. Figures are recorded, not asserted.
/// </summary>
[TestFixture, Category("Performance"), Category("Network")]
public sealed class BlockPropagationPerformanceTests : NetworkTestBase
{
    [Test]
    public async Task Block_propagation_latency_across_a_five_node_line([Values] StoreKind store)
    {
        const int Blocks = 40;
        const int Hops = 4;
        var net = await StartNetworkAsync(5, Topology.Line, new TestNetworkOptions { Store = store });
        await net.MineAsync(node: 0, blocks: 3);
        var latencies = new List<double>(Blocks);
        var connects = new List<double>(Blocks);
        var first = net[0].Engine;
        var last = net[4].Engine;
        var payTo = net.Wallet(0).KeyHash;

        for (var i = 0; i < Blocks; i++)
        {
            var block = BlockFactory.Next(first.Tip, payTo, first.Params);
            var connect = Stopwatch.StartNew();
            var result = await first.ProcessBlockAsync(block);
            connect.Stop();
            result.BecameTip.ShouldBeTrue(result.Validation.ToString());
            var watch = Stopwatch.StartNew();
            using var limit = new CancellationTokenSource(Timeouts.Scale(TimeSpan.FromSeconds(30)));
            // One read of the tip per turn (see NetworkScalePerformanceTests.ArrivalAsync).
            for (var tip = last.Tip.Hash; tip != block.Hash; tip = last.Tip.Hash)
            {
                await last.WaitForTipChangeAsync(tip, limit.Token);
            }

            latencies.Add(watch.Elapsed.TotalMilliseconds);
            connects.Add(connect.Elapsed.TotalMilliseconds);
        }

        var perHopRatios = latencies.Zip(connects, (latency, local) => latency / Hops / local).Order().ToList();
        latencies.Sort();
        connects.Sort();
        static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)];
        var figures = new Dictionary<string, double>
        {
            ["p50_ms"] = Percentile(latencies, 0.50),
            ["p95_ms"] = Percentile(latencies, 0.95),
            ["max_ms"] = latencies[^1],
            ["per_hop_p50_ms"] = Percentile(latencies, 0.50) / Hops,
            ["local_connect_p50_ms"] = Percentile(connects, 0.50),
            ["per_hop_to_local_connect_ratio_median"] = Percentile(perHopRatios, 0.50),
            ["blocks"] = Blocks,
        };
        PerformanceReport.Record($"block-propagation-5-node-line-{store.ToString().ToLowerInvariant()}", figures, "in process, routed in memory; one block at a time, measured from node-0's connect to node-4's tip");
        await TestContext.Out.WriteLineAsync($"{store}: p50 {figures["p50_ms"]:0.0} ms, p95 {figures["p95_ms"]:0.0} ms, max {figures["max_ms"]:0.0} ms over {Blocks} blocks; local connect p50 {figures["local_connect_p50_ms"]:0.00} ms");
    }
}
