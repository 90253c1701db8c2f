using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Integration.Network;

[TestFixture, Category("Integration"), Category("Network"), Category("Database")]
public sealed class BlockPropagationTests : NetworkTestBase
{
    [Test]
    public async Task Blocks_mined_on_one_end_of_a_line_reach_the_other_end()
    {
        var net = await StartNetworkAsync(3, Topology.Line);

        await net.MineAsync(node: 0, blocks: 3);

        var tip = net[0].Chain.Tip;
        tip.Height.ShouldBe(3);
        (await net[2].StatusAsync()).TipHash.ShouldBe(tip.Hash.ToString());
        (await net[1].StatusAsync()).ActivePeers.ShouldBe(2);
        (await net[2].StatusAsync()).ActivePeers.ShouldBe(1);
    }

    [Test]
    public async Task Bootstrap_connects_both_sides_and_status_counts_connected_peers([Values] StoreKind store)
    {
        var net = await StartNetworkAsync(2, Topology.Line, new TestNetworkOptions { Store = store });

        (await net[0].StatusAsync()).ActivePeers.ShouldBe(1);
        (await net[1].StatusAsync()).ActivePeers.ShouldBe(1);

        net.Disconnect(0, 1);
        (await net[0].StatusAsync()).ActivePeers.ShouldBe(0);
        (await net[1].StatusAsync()).ActivePeers.ShouldBe(0);
    }

    [Test]
    public async Task An_orphan_from_a_peer_makes_the_node_fetch_the_missing_parents_from_that_peer()
    {
        var net = await StartNetworkAsync(2, Topology.Line);
        net.DropLink(0, 1);
        await net.MineAsync(node: 0, blocks: 3, sync: false);
        await net.WaitUntilAsync(() => net.Peers(0).Get("node-1") is null, "node-0 to drop node-1, which it cannot reach");
        net[1].Chain.Tip.Height.ShouldBe(0);
        net.DropLink(0, 1, dropped: false);

        var tip = await net[0].Chain.Store.GetBlockAsync(net[0].Chain.Tip.Hash);
        var response = await PeerApi.PushAsync(net[1].Http, "/p2p/blocks", tip!.ToHex(), "node-0");

        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.Accepted);
        (await response.Content.ReadAsStringAsync()).ShouldContain("orphan");
        await net.WaitUntilAsync(() => net[1].Chain.Tip.Hash == net[0].Chain.Tip.Hash, "node-1 to fetch the orphan's parents from node-0");
        net[1].Chain.Tip.Height.ShouldBe(3);
        net[1].Chain.OrphanCount.ShouldBe(0);
    }

    [Test]
    public async Task Peer_exchange_connects_peers_of_peers_up_to_the_target()
    {
        var net = await StartNetworkAsync(4, Topology.Star, new TestNetworkOptions
        {
            PeerExchange = true,
            Extra = new Dictionary<string, string?> { ["P2p:TargetPeers"] = "2" },
        });

        await net.TickAsync();

        await net.WaitUntilAsync(() => Enumerable.Range(1, 3).All(i => net.Peers(i).Count >= 2), "nodes 1 to 3 to find a second peer through node-0's list");
        await net.TickAsync();
        await net.WaitForSyncAsync();
        foreach (var i in Enumerable.Range(1, 3))
        {
            net.Peers(i).Peers.ShouldContain(p => p.NodeId == "node-0");
        }

        Enumerable.Range(1, 3).Sum(i => net.Peers(i).Peers.Count(p => p.NodeId != "node-0")).ShouldBeGreaterThanOrEqualTo(2);
        (await net.MineAsync(node: 3, blocks: 1))[0].Height.ShouldBe(1);
    }
}
