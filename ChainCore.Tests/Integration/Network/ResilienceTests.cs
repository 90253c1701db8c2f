using ChainCore.Core.Primitives;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Integration.Network;

/// <summary>The testing plan's network resilience, for real: a node that was down, and a partition that heals.</summary>
[TestFixture, Category("Integration"), Category("Network"), Category("Database")]
public sealed class ResilienceTests : NetworkTestBase
{
    [Test]
    public async Task A_node_stopped_while_the_others_mine_catches_up_by_itself_after_a_restart()
    {
        var net = await StartNetworkAsync(3, Topology.Full);
        await net.MineAsync(node: 0, blocks: 2);

        await net.StopNodeAsync(2);
        await net.MineAsync(node: 0, blocks: 4);
        await net.MineAsync(node: 1, blocks: 3);
        net[0].Height.ShouldBe(9);

        await net.RestartNodeAsync(2);
        await net.WaitForSyncAsync();

        net[2].TipHash.ShouldBe(net[0].TipHash);
        net[2].Height.ShouldBe(9);
        (await net[2].StatusAsync()).ActivePeers.ShouldBe(2);
    }

    [Test]
    public async Task Partitioned_halves_converge_on_the_chain_with_more_work_and_the_losing_halfs_transaction_is_mined_again()
    {
        var net = await StartNetworkAsync(4, Topology.Full);
        await net.MineAsync(node: 0, blocks: 2);
        var bob = Wallets.NewWallet();
        var amount = Amount.FromCoins(3);
        var fee = Amount.FromCoins(0.0005m);

        net.Partition([0, 1], [2, 3]);
        var sent = await Wallets.ClientFor(net[0], net.Wallet(0)).SendTransactionAsync(bob.Address, amount, fee);
        sent.Accepted.ShouldBeTrue(sent.Message);
        var txid = Hash256.Parse(sent.Id!);
        await net.WaitForSyncAsync([0, 1]);
        await net.MineAsync(node: 0, blocks: 2, sync: false);
        await net.WaitForSyncAsync([0, 1]);
        net[1].Mempool.Count.ShouldBe(0, "the transaction is mined on the smaller half");
        await net.MineAsync(node: 2, blocks: 4, sync: false);
        await net.WaitForSyncAsync([2, 3]);
        var heavier = net[2].Tip;

        await net.HealAsync();
        await net.WaitUntilAsync(() => net.Nodes.All(n => n.TipHash == heavier.Hash), "every node on the heavier half's tip");
        await net.WaitForSyncAsync();
        foreach (var node in net.Nodes)
        {
            node.Mempool.Get(txid).ShouldNotBeNull($"{node.NodeId}: the losing half's transaction is back in the mempool");
        }

        await net.MineAsync(node: 3, blocks: 1);
        foreach (var node in net.Nodes)
        {
            (await node.Client.GetTransactionAsync(txid)).BlockHeight.ShouldBe(heavier.Height + 1, node.NodeId);
            (await TransactionPropagationTests.HeldAsync(node, bob)).ShouldBe(amount, node.NodeId);
        }
    }

    [Test]
    public async Task A_double_spend_across_a_partition_leaves_only_the_heavier_halfs_payment_on_every_node()
    {
        var net = await StartNetworkAsync(4, Topology.Full);
        await net.MineAsync(node: 0, blocks: 2);
        var payer = net.Wallet(0);
        var coin = (await net[0].UtxosAsync(payer.Address)).First(c => c.Spendable);
        var (bob, carol) = (Wallets.NewWallet(), Wallets.NewWallet());
        var fee = Amount.FromCoins(0.0005m);
        var toBob = Wallets.Spend(payer, coin.OutPoint, coin.Value, bob.Address, fee);
        var toCarol = Wallets.Spend(payer, coin.OutPoint, coin.Value, carol.Address, fee);

        net.Partition([0, 1], [2, 3]);
        (await net[0].Client.SubmitTransactionAsync(toBob)).Accepted.ShouldBeTrue();
        (await net[2].Client.SubmitTransactionAsync(toCarol)).Accepted.ShouldBeTrue();
        await net.MineAsync(node: 0, blocks: 1, sync: false);
        await net.WaitForSyncAsync([0, 1]);
        (await net[1].BalanceOfAsync(bob.Address)).Confirmed.ShouldBe(coin.Value - fee, "bob is paid on the smaller half");
        await net.MineAsync(node: 2, blocks: 3, sync: false);
        await net.WaitForSyncAsync([2, 3]);
        var heavier = net[2].TipHash;

        await net.HealAsync();
        await net.WaitForSyncAsync();

        foreach (var node in net.Nodes)
        {
            node.TipHash.ShouldBe(heavier, node.NodeId);
            (await node.BalanceOfAsync(carol.Address)).Confirmed.ShouldBe(coin.Value - fee, $"{node.NodeId}: the heavier half's payment stands");
            var bobs = await node.BalanceOfAsync(bob.Address);
            (bobs.Confirmed + bobs.Immature + bobs.PendingIncoming).ShouldBe(Amount.Zero, $"{node.NodeId}: the losing payment is gone, not pending");
            node.Mempool.Contains(toBob.TxId).ShouldBeFalse($"{node.NodeId}: the losing payment conflicts with the chain");
        }
    }
}
