using ChainCore.Core.Primitives;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Integration.Network;

[TestFixture, Category("Integration"), Category("Network"), Category("Database")]
public sealed class TransactionPropagationTests : NetworkTestBase
{
    [Test]
    public async Task A_transaction_sent_to_node_0_reaches_every_mempool_is_mined_on_node_2_and_confirmed_everywhere()
    {
        var net = await StartNetworkAsync(3, Topology.Line);
        await net.MineAsync(node: 0, blocks: 2);
        var alice = net.Wallet(0);
        var bob = Wallets.NewWallet();
        var amount = Amount.FromCoins(12.5m);
        var fee = Amount.FromCoins(0.001m);

        var sent = await Wallets.ClientFor(net[0], alice).SendTransactionAsync(bob.Address, amount, fee);
        sent.Accepted.ShouldBeTrue(sent.Message);
        var txid = Hash256.Parse(sent.Id!);
        await net.WaitUntilAsync(() => net.Nodes.All(n => n.Mempool.Get(txid) is not null), "the transaction in every mempool");

        var mined = await net.MineAsync(node: 2, blocks: 1);

        mined[0].Height.ShouldBe(3);
        foreach (var node in net.Nodes)
        {
            node.Mempool.Count.ShouldBe(0, node.NodeId);
            (await node.Client.GetTransactionAsync(txid)).BlockHeight.ShouldBe(3, node.NodeId);
            (await HeldAsync(node, bob)).ShouldBe(amount, node.NodeId);
            (await HeldAsync(node, alice)).ShouldBe(Amount.FromCoins(100) - amount - fee, node.NodeId);
            (await HeldAsync(node, net.Wallet(2))).ShouldBe(Amount.FromCoins(50) + fee, node.NodeId);
        }
    }

    /// <summary>Confirmed plus immature coinbase money, as the node at hand sees it.</summary>
    internal static async Task<Amount> HeldAsync(TestNode node, TestWallet wallet)
    {
        var balance = await Wallets.ClientFor(node, wallet).GetBalanceDetailsAsync();
        return Amount.FromCoins(balance.Confirmed + balance.Immature);
    }
}
