using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Integration.Blockchain;

/// <summary>The chain engine on a real store: reorgs, branches with less work, invalid branches, orphans, restarts.</summary>
[TestFixture(StoreKind.Postgres), TestFixture(StoreKind.Sqlite)]
[Category("Integration"), Category("Database")]
public sealed class ChainEngineTests(StoreKind store) : NodeTestBase
{
    private static readonly ConsensusParams Regtest = ConsensusParams.Regtest with { CoinbaseMaturity = 1 };
    private static readonly Amount Fee = Amount.ParseCoins("0.01");

    [Test]
    public async Task Reorg_to_heavier_branch_restores_spent_outputs_balances_and_requeues_transactions()
    {
        await using var node = await StartNodeAsync(store: store);
        var alice = Wallets.NewWallet();
        var bob = Wallets.NewWallet();
        var other = Wallets.NewWallet();
        await node.MineAsync(2, alice.Address.ToString());
        var forkPoint = node.Tip;
        var aliceCoinsBefore = await Wallets.CoinsAsync(node, alice);

        var payment = Wallets.Spend(alice, aliceCoinsBefore[0], bob.Address, Fee);
        (await node.Engine.AcceptTransactionAsync(payment)).Accepted.ShouldBeTrue();
        await node.MineAsync(1, other.Address.ToString());
        (await node.Store.GetBalanceAsync(bob.KeyHash)).ShouldBe(Amount.FromCoins(50) - Fee);
        node.Mempool.Count.ShouldBe(0);

        var branch = BlockFactory.Branch(forkPoint, 2, other.KeyHash, Regtest, extraNonce: 1);
        foreach (var block in branch)
        {
            (await node.Engine.ProcessBlockAsync(block)).Status.ShouldBe(BlockStatus.Accepted);
        }

        node.TipHash.ShouldBe(branch[^1].Hash);
        (await Wallets.CoinsAsync(node, alice)).ShouldBe(aliceCoinsBefore);
        (await node.Store.GetBalanceAsync(alice.KeyHash)).ShouldBe(Amount.FromCoins(100));
        (await node.Store.GetBalanceAsync(bob.KeyHash)).ShouldBe(Amount.Zero);
        (await node.Store.GetBalanceAsync(other.KeyHash)).ShouldBe(Amount.FromCoins(100));
        node.Mempool.Contains(payment.TxId).ShouldBeTrue("the disconnected payment returns to the mempool");
        (await node.Store.GetTransactionAsync(payment.TxId)).ShouldBeNull();
    }

    [Test]
    public async Task Branch_with_equal_or_less_work_never_replaces_the_tip()
    {
        await using var node = await StartNodeAsync(store: store);
        var miner = Wallets.NewWallet();
        var genesis = node.Tip;
        await node.MineAsync(2, miner.Address.ToString());
        var tip = node.Tip;

        var shorter = BlockFactory.Branch(genesis, 1, miner.KeyHash, Regtest, extraNonce: 7);
        var equal = BlockFactory.Next(shorter[0], 1, miner.KeyHash, Regtest, extraNonce: 7);
        (await node.Engine.ProcessBlockAsync(shorter[0])).BecameTip.ShouldBeFalse();
        var result = await node.Engine.ProcessBlockAsync(equal);

        result.Status.ShouldBe(BlockStatus.Accepted);
        result.BecameTip.ShouldBeFalse();
        node.Tip.ShouldBeSameAs(tip);
        (await node.Store.GetLatestBlockAsync())!.Hash.ShouldBe(tip.Hash);
        (await node.Store.GetBalanceAsync(miner.KeyHash)).ShouldBe(Amount.FromCoins(100));
    }

    [Test]
    public async Task Heavier_branch_with_an_invalid_block_is_refused_and_the_valid_tip_kept()
    {
        await using var node = await StartNodeAsync(store: store);
        var miner = Wallets.NewWallet();
        var genesis = node.Tip;
        await node.MineAsync(1, miner.Address.ToString());
        var tip = node.Tip;

        var first = BlockFactory.Next(genesis, miner.KeyHash, Regtest, extraNonce: 3);
        var stolen = Wallets.Spend(Wallets.NewWallet(), new OutPoint(first.Transactions[0].TxId, 0), Amount.FromCoins(50), miner.Address, Fee);
        var invalid = BlockFactory.Next(first, 1, miner.KeyHash, Regtest, [stolen], Fee);
        var descendant = BlockFactory.Next(invalid, 2, miner.KeyHash, Regtest);

        (await node.Engine.ProcessBlockAsync(first)).BecameTip.ShouldBeFalse();
        var refused = await node.Engine.ProcessBlockAsync(invalid);
        var child = await node.Engine.ProcessBlockAsync(descendant);

        refused.Status.ShouldBe(BlockStatus.Invalid);
        refused.Code.ShouldBe(RejectCodes.PublicKeyMismatch);
        child.Status.ShouldBe(BlockStatus.Invalid);
        node.TipHash.ShouldBe(tip.Hash);
        (await node.Store.GetBalanceAsync(miner.KeyHash)).ShouldBe(Amount.FromCoins(50));
    }

    [Test]
    public async Task Orphan_waits_for_its_parent_then_both_connect()
    {
        await using var node = await StartNodeAsync(store: store);
        var miner = Wallets.NewWallet();
        var parent = BlockFactory.Next(node.Tip, miner.KeyHash, Regtest);
        var child = BlockFactory.Next(parent, 1, miner.KeyHash, Regtest);

        var orphan = await node.Engine.ProcessBlockAsync(child);
        orphan.Status.ShouldBe(BlockStatus.Orphan);
        node.Engine.OrphanCount.ShouldBe(1);
        (await node.Engine.ProcessBlockAsync(parent)).Status.ShouldBe(BlockStatus.Accepted);

        node.TipHash.ShouldBe(child.Hash);
        node.Engine.OrphanCount.ShouldBe(0);
    }

    [Test]
    public async Task Restart_on_the_same_database_resumes_at_the_same_tip_with_the_same_balances()
    {
        var alice = Wallets.NewWallet();
        var bob = Wallets.NewWallet();
        Hash256 tipHash;
        await using (var node = await StartNodeAsync(store: store))
        {
            await node.MineAsync(3, alice.Address.ToString());
            var coin = (await Wallets.CoinsAsync(node, alice))[0];
            (await node.Engine.AcceptTransactionAsync(Wallets.Spend(alice, coin, bob.Address, Fee))).Accepted.ShouldBeTrue();
            await node.MineAsync(1, alice.Address.ToString());
            tipHash = node.TipHash;
        }

        await using var restarted = await StartNodeAsync(store: store, reset: false);

        restarted.TipHash.ShouldBe(tipHash);
        restarted.Height.ShouldBe(4);
        (await restarted.Store.GetBalanceAsync(alice.KeyHash)).ShouldBe(Amount.FromCoins(200) - Amount.FromCoins(50) + Fee);
        (await restarted.Store.GetBalanceAsync(bob.KeyHash)).ShouldBe(Amount.FromCoins(50) - Fee);
        (await restarted.MineAsync(1, bob.Address.ToString()))[0].Height.ShouldBe(5);
    }

    [Test]
    public async Task A_store_failure_midway_through_a_connect_leaves_chain_and_store_as_before()
    {
        await using var node = await StartNodeAsync(store: store);
        var miner = Wallets.NewWallet();
        await node.MineAsync(2, miner.Address.ToString());
        var tip = node.Tip;
        var coinsBefore = await Wallets.CoinsAsync(node, miner);
        var next = BlockFactory.Next(tip, Wallets.NewWallet().KeyHash, Regtest);

        using (Failpoints.FailNextConnect(node.Store))
        {
            await Should.ThrowAsync<Exception>(() => node.Engine.ProcessBlockAsync(next));
        }

        node.Tip.ShouldBeSameAs(tip);
        (await node.Store.GetLatestBlockAsync())!.Hash.ShouldBe(tip.Hash);
        (await Wallets.CoinsAsync(node, miner)).ShouldBe(coinsBefore);
        (await node.Store.GetBalanceAsync(miner.KeyHash)).ShouldBe(Amount.FromCoins(100));
    }
}
