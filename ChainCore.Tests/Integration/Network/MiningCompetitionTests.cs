using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Integration.Network;

/// <summary>The testing plan's mining competition: three nodes, each with its own miner (the miner app, hosted in process), racing to 30 blocks.</summary>
[TestFixture, Category("Integration"), Category("Network"), Category("Mining"), Category("Database")]
public sealed class MiningCompetitionTests : NetworkTestBase
{
    [Test]
    public async Task Three_miners_racing_to_30_blocks_leave_every_node_on_one_tip_and_their_blocks_add_up()
    {
        const int Target = 30;
        var net = await StartNetworkAsync(3, Topology.Full);
        var miners = Enumerable.Range(0, 3).Select(i => net.AttachMiner(i)).ToList();

        await net.WaitUntilAsync(() => net.Nodes.Any(n => n.Height >= Target), $"some node at height {Target}", TimeSpan.FromSeconds(90));
        var runs = new List<ChainCore.Miner.MinerStatusResponse>();
        foreach (var miner in miners)
        {
            runs.Add(await miner.StopAsync());
        }

        // Two miners can find blocks of equal work at the same moment, and each node keeps the one it
        // saw first until a next block settles it (Bitcoin's rule; a node does not even fetch a rival
        // tip of no more work). A block on node 0's tip has more work than any, as a real network's
        // next block would; should a block still in flight tie with it or beat it, the next one settles it.
        var settling = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            settling.Add((await net.MineAsync(0, 1, sync: false))[0].Hash);
            try
            {
                await net.WaitForSyncAsync(timeout: TimeSpan.FromSeconds(10));
                break;
            }
            catch (WaitTimeoutException) when (settling.Count < 3)
            {
            }
        }

        var chain = net[0].Engine;
        var tip = chain.Tip;
        tip.Height.ShouldBeGreaterThan(Target);
        net.Nodes.Select(n => n.TipHash).Distinct().ShouldHaveSingleItem();
        var onChain = miners.Select(m => m.Accepted.Count(h => chain.GetEntry(h) is { } e && chain.IsOnMainChain(e))).ToList();
        var paid = new int[miners.Count];
        var settled = 0;
        for (var height = 1; height <= tip.Height; height++)
        {
            var block = (await net[0].Store.GetBlockByHeightAsync(height))!;
            if (settling.Contains(block.Hash.ToString()))
            {
                settled++;
                continue;
            }

            var payee = block.Transactions[0].Outputs[0].PublicKeyHash.ToArray();
            var finder = miners.FindIndex(m => m.Payout.KeyHash.AsSpan().SequenceEqual(payee));
            finder.ShouldBeGreaterThanOrEqualTo(0, $"block {height} pays one of the miners");
            paid[finder]++;
            miners.Where(m => m != miners[finder]).ShouldAllBe(m => !m.Accepted.Contains(block.Hash), $"block {height} was found by the miner it pays");
        }

        paid.Sum().ShouldBe(tip.Height - settled, "every block but the settling ones pays a miner");
        for (var i = 0; i < miners.Count; i++)
        {
            miners[i].Accepted.Count.ShouldBe(runs[i].BlocksFound, $"{miners[i].Name}: its status counts every block its node accepted");
            paid[i].ShouldBe(onChain[i], $"{miners[i].Name}: blocks paying it on the final chain are the ones it found");
        }

        await TestContext.Out.WriteLineAsync($"Blocks found per miner: {string.Join(", ", miners.Select((m, i) => $"{m.Name} {m.Accepted.Count} ({onChain[i]} on the final chain)"))}; final height {tip.Height}");
    }
}
