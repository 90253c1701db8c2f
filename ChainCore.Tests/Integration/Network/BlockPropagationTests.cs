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

        var tip = net[0].Tip;
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
    public async Task A_block_announced_on_an_unknown_parent_makes_the_node_catch_up_from_the_announcer()
    {
        var net = await StartNetworkAsync(1);
        await using var peer = await TestPeer.ConnectAsync(net, to: 0);
        var blocks = BlockFactory.Branch(net[0].Tip, 3, net.Wallet(0).KeyHash, net[0].Params);
        foreach (var block in blocks)
        {
            peer.Serve(block);
        }

        await peer.AnnounceAsync(0, [blocks[2].Header], []);

        await net.WaitUntilAsync(() => net[0].TipHash == blocks[2].Hash, "node-0 to catch up the announced block's parents from the announcer");
        peer.Received.ShouldContain(r => r.Path == "/p2p/headers", "the node asked the announcer for headers");
        net[0].Engine.OrphanCount.ShouldBe(0);
    }

    [Test]
    public async Task Peer_exchange_connects_peers_of_peers_up_to_the_outbound_slots()
    {
        var net = await StartNetworkAsync(4, Topology.Star, new TestNetworkOptions
        {
            PeerExchange = true,
            Extra = new Dictionary<string, string?> { ["P2p:MaxOutbound"] = "2" },
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
