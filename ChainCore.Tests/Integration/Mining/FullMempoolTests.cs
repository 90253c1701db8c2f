using System.Globalization;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Integration.Mining;

/// <summary>
/// A full mempool and a child paying for its cheap parent: the child never evicts its own parent, so
/// templates and <c>/mine_block</c> keep working (before, the orphaned child made every block invalid).
/// </summary>
[TestFixture, Category("Integration"), Category("Mining")]
public sealed class FullMempoolTests : NodeTestBase
{
    private static readonly Amount ParentFee = new(1_000);
    private static readonly Amount ChildFee = Amount.ParseCoins("0.1");

    private static Task<TestNode> StartWithMempoolOfAsync(int transactions)
    {
        // Under the run's scratch folder, which the run removes when it ends, as every test node's data.
        var dataDir = Path.Combine(TestEnvironment.ScratchDirectory, TestContext.CurrentContext.Test.ID, "node-0");
        if (Directory.Exists(dataDir))
        {
            Directory.Delete(dataDir, recursive: true);
        }

        return TestNode.StartAsync(new NodeSettings
        {
            NodeId = "node-0",
            DataDir = dataDir,
            Extra = new Dictionary<string, string?> { ["Node:MaxMempoolTransactions"] = transactions.ToString(CultureInfo.InvariantCulture) },
        });
    }

    private static (Transaction Parent, Transaction Child) ParentAndChild(WalletCoin coin, TestWallet alice, TestWallet bob, TestWallet carol)
    {
        var parent = Wallets.Spend(alice, coin, bob.Address, ParentFee);
        var child = Wallets.Spend(bob, new OutPoint(parent.TxId, 0), parent.Outputs[0].Value, carol.Address, ChildFee);
        return (parent, child);
    }

    [Test]
    public async Task A_child_whose_only_room_is_its_parent_is_refused_and_mining_goes_on()
    {
        await using var node = await StartWithMempoolOfAsync(1);
        var (alice, bob, carol, miner) = (Wallets.NewWallet(), Wallets.NewWallet(), Wallets.NewWallet(), Wallets.NewWallet());
        await node.MineAsync(2, alice.Address.ToString());
        var (parent, child) = ParentAndChild((await Wallets.CoinsAsync(node, alice))[0], alice, bob, carol);

        (await node.Client.SubmitTransactionAsync(parent)).Accepted.ShouldBeTrue();
        var refused = await node.Client.SubmitTransactionAsync(child);

        refused.Accepted.ShouldBeFalse("the child would have evicted its own parent");
        refused.Code.ShouldBe(RejectCodes.MempoolFull);
        (await node.Client.GetMempoolAsync()).Transactions.Select(t => t.TxId).ShouldBe([parent.TxId.ToString()]);
        (await node.MineAsync(1, miner.Address.ToString()))[0].Transactions.ShouldBe(2);

        (await node.Client.SubmitTransactionAsync(child)).Accepted.ShouldBeTrue("its parent is confirmed now");
        (await node.MineAsync(1, miner.Address.ToString()))[0].Transactions.ShouldBe(2);
        (await node.Client.GetBalanceAsync(carol.Address.ToString())).Confirmed.ShouldBe((Amount.FromCoins(50) - ParentFee - ChildFee).ToCoins());
    }

    [Test]
    public async Task A_reorg_returning_more_transactions_than_the_pool_holds_evicts_the_cheapest()
    {
        await using var node = await StartWithMempoolOfAsync(2);
        var (alice, bob, miner) = (Wallets.NewWallet(), Wallets.NewWallet(), Wallets.NewWallet());
        var p = node.Params;
        await node.MineAsync(4, alice.Address.ToString());
        var coins = await Wallets.CoinsAsync(node, alice);
        var fees = new[] { new Amount(1_000), new Amount(30_000), new Amount(20_000) };
        var payments = coins.Take(3).Select((c, i) => Wallets.Spend(alice, c, bob.Address, fees[i])).ToList();
        var fork = node.Tip;
        var confirming = BlockFactory.Next(fork, miner.KeyHash, p, payments, fees.Aggregate((a, b) => a + b));
        (await node.Engine.ProcessBlockAsync(confirming)).BecameTip.ShouldBeTrue();

        foreach (var block in BlockFactory.Branch(fork, 2, miner.KeyHash, p, extraNonce: 1))
        {
            await node.Engine.ProcessBlockAsync(block);
        }

        node.Height.ShouldBe(fork.Height + 2, "the longer branch is the tip");
        var pooled = (await node.Client.GetMempoolAsync()).Transactions.Select(t => t.TxId).ToList();
        pooled.ShouldBe([payments[1].TxId.ToString(), payments[2].TxId.ToString()], ignoreOrder: true, "the pool holds 2: the cheapest returned payment goes");
        (await node.MineAsync(1, miner.Address.ToString()))[0].Transactions.ShouldBe(3);
    }

    [Test]
    public async Task A_child_evicts_an_unrelated_cheaper_transaction_and_is_mined_with_its_parent()
    {
        await using var node = await StartWithMempoolOfAsync(2);
        var (alice, bob, carol, dave, miner) = (Wallets.NewWallet(), Wallets.NewWallet(), Wallets.NewWallet(), Wallets.NewWallet(), Wallets.NewWallet());
        await node.MineAsync(3, alice.Address.ToString());
        var coins = await Wallets.CoinsAsync(node, alice);
        var (parent, child) = ParentAndChild(coins[0], alice, bob, carol);
        var unrelated = Wallets.Spend(alice, coins[1], dave.Address, new Amount(10_000));

        (await node.Client.SubmitTransactionAsync(parent)).Accepted.ShouldBeTrue();
        (await node.Client.SubmitTransactionAsync(unrelated)).Accepted.ShouldBeTrue();
        var accepted = await node.Client.SubmitTransactionAsync(child);

        accepted.Accepted.ShouldBeTrue(accepted.Message);
        (await node.Client.GetMempoolAsync()).Transactions.Select(t => t.TxId).ShouldBe([parent.TxId.ToString(), child.TxId.ToString()], ignoreOrder: true);
        var template = await node.Client.GetMiningTemplateAsync(miner.Address.ToString());
        template.Transactions.Select(t => t.TxId).ShouldBe([parent.TxId.ToString(), child.TxId.ToString()]);
        (await node.MineAsync(1, miner.Address.ToString()))[0].Transactions.ShouldBe(3);
        (await node.Client.GetBalanceAsync(carol.Address.ToString())).Confirmed.ShouldBe((Amount.FromCoins(50) - ParentFee - ChildFee).ToCoins());
        (await node.Client.GetMempoolAsync()).Transactions.ShouldBeEmpty();
    }
}
