using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;
using ChainCore.Node.Mempool;
using ChainCore.Tests.Fixtures;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Integration.Blockchain;

/// <summary>
/// Transactions of disconnected blocks, and pooled ones, whose inputs a reorg took away: kept (a
/// bounded number) and returned to the mempool when a later reorg brings their inputs back, instead
/// of being lost.
/// </summary>
[TestFixture(StoreKind.Postgres), TestFixture(StoreKind.Sqlite)]
[Category("Integration"), Category("Database")]
public sealed class ReorgMempoolTests(StoreKind store) : NodeTestBase
{
    private static readonly ConsensusParams Regtest = ConsensusParams.Regtest with { CoinbaseMaturity = 1 };
    private static readonly Amount Fee = Amount.ParseCoins("0.01");

    /// <summary>
    /// Chain A on genesis: block 1 pays Alice its coinbase, block 2 confirms Alice's payment to Bob
    /// (<c>parent</c>), block 3 Bob's payments on (<c>children</c>, one per output of the parent).
    /// </summary>
    private async Task<Staged> StageAsync(int children)
    {
        var node = await StartNodeAsync(store: store);
        var (alice, bob, carol, miner) = (Wallets.NewWallet(), Wallets.NewWallet(), Wallets.NewWallet(), Wallets.NewWallet());
        var genesis = node.Tip;
        var a1 = BlockFactory.Next(genesis, alice.KeyHash, Regtest);
        var subsidy = Subsidy.ForHeight(1, Regtest);
        var share = new Amount((subsidy - Fee).Units / children);
        var parent = TestData.Spend(alice.Key, [new OutPoint(a1.Transactions[0].TxId, 0)], Enumerable.Repeat(new TxOut(share, [.. bob.KeyHash]), children));
        var a2 = BlockFactory.Next(a1, 1, miner.KeyHash, Regtest, [parent], subsidy - new Amount(share.Units * children));
        var paid = Enumerable.Range(0, children).Select(i => Wallets.Spend(bob, new OutPoint(parent.TxId, (uint)i), share, carol.Address, Fee)).ToList();
        var a3 = BlockFactory.Next(a2, 2, miner.KeyHash, Regtest, paid, new Amount(Fee.Units * children));
        foreach (var block in new[] { a1, a2, a3 })
        {
            (await node.Engine.ProcessBlockAsync(block)).BecameTip.ShouldBeTrue();
        }

        return new Staged(node, genesis, a1, a2, parent, paid, miner);
    }

    private sealed record Staged(TestNode Node, BlockIndexEntry Genesis, Block A1, Block A2, Transaction Parent, IReadOnlyList<Transaction> Children, TestWallet Miner);

    /// <summary>A branch of four blocks on genesis (more work than chain A): block 1's coinbase is gone, so the parent and its children miss their inputs.</summary>
    private static async Task ReorgToBranchWithoutInputsAsync(Staged s)
    {
        var rival = Wallets.NewWallet();
        var branch = BlockFactory.Branch(s.Genesis, 4, rival.KeyHash, Regtest, extraNonce: 1);
        foreach (var block in branch)
        {
            await s.Node.Engine.ProcessBlockAsync(block);
        }

        s.Node.TipHash.ShouldBe(branch[^1].Hash);
    }

    /// <summary>Back onto chain A up to <paramref name="from"/>, then new blocks to a height of five (more work than the branch).</summary>
    private static async Task ReorgBackAsync(Staged s, Block from)
    {
        var fork = s.Node.FindBlock(from.Hash).ShouldNotBeNull();
        var blocks = BlockFactory.Branch(fork, 5 - fork.Height, s.Miner.KeyHash, Regtest, extraNonce: 2);
        foreach (var block in blocks)
        {
            await s.Node.Engine.ProcessBlockAsync(block);
        }

        s.Node.TipHash.ShouldBe(blocks[^1].Hash);
    }

    [TestCase(false, TestName = "{m}(the second reorg brings the parent's input back)")]
    [TestCase(true, TestName = "{m}(the second reorg confirms the parent again)")]
    public async Task A_transaction_whose_input_a_reorg_took_away_returns_when_a_later_reorg_brings_it_back(bool parentConfirmed)
    {
        var s = await StageAsync(children: 1);
        var child = s.Children[0];
        await ReorgToBranchWithoutInputsAsync(s);
        s.Node.Mempool.Contains(child.TxId).ShouldBeFalse("its input is missing on the branch");
        (await s.Node.Store.GetTransactionAsync(child.TxId)).ShouldBeNull();

        using var events = s.Node.Engine.Events.Subscribe();
        await ReorgBackAsync(s, parentConfirmed ? s.A2 : s.A1);

        s.Node.Mempool.Contains(child.TxId).ShouldBeTrue("the child is valid again on the new chain");
        if (parentConfirmed)
        {
            (await s.Node.Store.GetTransactionAsync(s.Parent.TxId)).ShouldNotBeNull();
        }
        else
        {
            s.Node.Mempool.Contains(s.Parent.TxId).ShouldBeTrue("the parent is retried before its child");
        }

        var accepted = new List<Hash256>();
        while (events.Reader.TryRead(out var change))
        {
            if (change is TransactionAccepted a)
            {
                accepted.Add(a.Transaction.TxId);
            }
        }

        accepted.ShouldContain(child.TxId, "a returned transaction is announced as accepted");
    }

    [Test]
    public async Task A_pooled_transaction_whose_input_a_reorg_took_away_returns_when_a_later_reorg_brings_it_back()
    {
        // Never mined: the miner spends block 2's coinbase while chain A is the tip.
        var s = await StageAsync(children: 1);
        var coinbase = s.A2.Transactions[0];
        var pooled = Wallets.Spend(s.Miner, new OutPoint(coinbase.TxId, 0), coinbase.Outputs[0].Value, Wallets.NewWallet().Address, Fee);
        (await s.Node.Engine.AcceptTransactionAsync(pooled)).Accepted.ShouldBeTrue();

        await ReorgToBranchWithoutInputsAsync(s);
        s.Node.Mempool.Contains(pooled.TxId).ShouldBeFalse("block 2's coinbase is not on the branch");

        await ReorgBackAsync(s, s.A2);

        s.Node.Mempool.Contains(pooled.TxId).ShouldBeTrue("block 2's coinbase is back, so the payment the node accepted is valid again");
        s.Node.Mempool.Snapshot().Single(e => e.TxId == pooled.TxId).FromDisconnectedBlock.ShouldBeFalse("it was never mined, so the node's policy still applies to it");
    }

    [Test]
    public async Task More_transactions_waiting_for_their_inputs_than_the_bound_keeps_only_the_newest()
    {
        var bound = ReorgOrphanPool.DefaultMaxTransactions;
        var s = await StageAsync(children: bound + 20);
        await ReorgToBranchWithoutInputsAsync(s);
        s.Node.Mempool.Count.ShouldBe(0);

        await ReorgBackAsync(s, s.A2);

        // The parent (oldest) and the 20 oldest children were dropped to stay within the bound.
        var pooled = s.Node.Mempool.Snapshot().Select(e => e.TxId).ToHashSet();
        pooled.Count.ShouldBe(bound);
        pooled.SetEquals(s.Children.Skip(20).Select(t => t.TxId)).ShouldBeTrue("the newest transactions are the ones kept");
    }
}
