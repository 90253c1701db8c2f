using System.Diagnostics;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Integration.Network;

[TestFixture, Category("Integration"), Category("Network"), Category("Database")]
public sealed class LateJoinTests : NetworkTestBase
{
    [Test]
    public async Task A_node_joining_late_syncs_a_500_block_chain_headers_first()
    {
        var net = await StartNetworkAsync(2, Topology.None);
        await net.MineAsync(node: 0, blocks: 500, sync: false);
        var tip = net[0].Tip;

        var watch = Stopwatch.StartNew();
        await net.ConnectAsync(1, 0);
        await net.WaitForSyncAsync(timeout: TimeSpan.FromSeconds(60));
        watch.Stop();

        net[1].TipHash.ShouldBe(tip.Hash);
        net[1].Height.ShouldBe(500);
        net.Log.Lines.ShouldContain(l => l.Contains("node-1", StringComparison.Ordinal) && l.Contains("Catching up 500 blocks from node-0", StringComparison.Ordinal));
        await TestContext.Out.WriteLineAsync($"500 blocks synced in {watch.Elapsed.TotalSeconds:0.00} s");
    }
}
