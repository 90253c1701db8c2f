using System.Globalization;
using ChainCore.Core.Primitives;
using ChainCore.Tests.Fixtures;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Integration.Network;

/// <summary>Announce, then fetch (BIP 130): a new block reaches every node once, however many peers announce it.</summary>
[TestFixture, Category("Integration"), Category("Network")]
public sealed class RelayBandwidthTests : NetworkTestBase
{
    [Test]
    public async Task In_a_full_topology_of_ten_nodes_each_node_receives_a_new_block_once()
    {
        var net = await StartNetworkAsync(10, Topology.Full, new TestNetworkOptions { Store = StoreKind.Sqlite });
        await net.MineAsync(0, 1);
        var coin = (await Wallets.CoinsAsync(net[0], net.Wallet(0))).Single();
        var outputs = Enumerable.Range(0, 2_500).Select(i => new TxOut(new Amount(1_000_000), [.. Wallets.NewWallet().KeyHash])).ToList();
        var change = coin.Value - new Amount(2_500L * 1_000_000) - new Amount(100_000);
        var wide = TestData.Spend(net.Wallet(0).Key, [coin.OutPoint], [.. outputs, new TxOut(change, [.. net.Wallet(0).KeyHash])]);
        (await net[0].Engine.AcceptTransactionAsync(wide)).Accepted.ShouldBeTrue();
        await net.WaitForSyncAsync();
        var before = Enumerable.Range(0, net.Count).Select(i => net.Router.BytesReceived(TestNetwork.NameOf(i))).ToArray();

        await net.MineAsync(0, 1);

        var block = (await net[0].Store.GetBlockAsync(net[0].TipHash))!;
        var blockBytes = block.ToHex().Length;
        var received = Enumerable.Range(1, net.Count - 1).Select(i => net.Router.BytesReceived(TestNetwork.NameOf(i)) - before[i]).Order().ToList();
        TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"block {blockBytes} bytes as hex; bytes received per node for it: median {received[received.Count / 2]}, max {received[^1]}, min {received[0]} ({received[received.Count / 2] / (double)blockBytes:0.00}x the block)"));
        received.ShouldAllBe(bytes => bytes < blockBytes * 3 / 2, "each node fetched the block once; the other peers only announced its header");
        received.ShouldAllBe(bytes => bytes >= blockBytes, "and every node did fetch it");
    }
}
