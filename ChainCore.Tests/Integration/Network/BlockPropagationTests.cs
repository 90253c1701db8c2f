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
}
