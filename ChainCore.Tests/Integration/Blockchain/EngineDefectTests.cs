using ChainCore.Core.Consensus;
using ChainCore.Core.Mining;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;
using ChainCore.Node.Mempool;
using ChainCore.Node.Storage;
using ChainCore.Tests.Fixtures;
using ChainCore.Tests.Harness;
using Microsoft.Extensions.DependencyInjection;

namespace ChainCore.Tests.Integration.Blockchain;

/// <summary>
/// Regression tests for the engine's defects: a caller or a store giving up in the middle of a
/// reorg, templates mixing two chain states, the genesis output, and the mempool's policy limits.
/// </summary>
[TestFixture(StoreKind.Postgres), TestFixture(StoreKind.Sqlite)]
[Category("Integration"), Category("Database")]
public sealed class EngineDefectTests(StoreKind store) : NodeTestBase
{
    private static readonly ConsensusParams Regtest = ConsensusParams.Regtest with { CoinbaseMaturity = 1 };
    private static readonly Amount Fee = Amount.ParseCoins("0.01");

    /// <summary>Blocks on the current chain after the fork point; the branch has one more.</summary>
    private const int ReorgDepth = 30;

    /// <summary>
    /// A node whose tip is 30 blocks past a fork point, the second of them confirming Alice's payment
    /// to Bob, with a competing branch of 31 blocks all stored but the last, which triggers the reorg.
    /// </summary>
    private async Task<Staged> StageReorgAsync()
    {
        var node = await StartNodeAsync(store: store);
        var alice = Wallets.NewWallet();
        var bob = Wallets.NewWallet();
        var miner = Wallets.NewWallet();
        var rival = Wallets.NewWallet();
        var funding = BlockFactory.Next(node.Tip, alice.KeyHash, Regtest);
        (await node.Engine.ProcessBlockAsync(funding)).BecameTip.ShouldBeTrue();
        var fork = node.Tip;

        var payment = Wallets.Spend(alice, new OutPoint(funding.Transactions[0].TxId, 0), Subsidy.ForHeight(1, Regtest), bob.Address, Fee);
        var withPayment = BlockFactory.Next(fork, miner.KeyHash, Regtest, [payment], Fee);
        (await node.Engine.ProcessBlockAsync(withPayment)).BecameTip.ShouldBeTrue();
        foreach (var block in BlockFactory.Branch(node.Tip, ReorgDepth - 1, miner.KeyHash, Regtest))
        {
            (await node.Engine.ProcessBlockAsync(block)).BecameTip.ShouldBeTrue();
        }

        var branch = BlockFactory.Branch(fork, ReorgDepth + 1, rival.KeyHash, Regtest, extraNonce: 1);
        foreach (var block in branch.SkipLast(1))
        {
            (await node.Engine.ProcessBlockAsync(block)).BecameTip.ShouldBeFalse("equal work: the block seen first stays the tip");
        }

        return new Staged(node, alice, bob, rival, payment, node.Tip, branch);
    }

    private sealed record Staged(TestNode Node, TestWallet Alice, TestWallet Bob, TestWallet Rival, Transaction Payment, BlockIndexEntry OldTip, IReadOnlyList<Block> Branch);

    private static SqlChainStore Sql(TestNode node) => (SqlChainStore)node.Store;

    [Test]
    public async Task A_caller_cancelling_during_a_long_reorg_does_not_stop_it_half_way()
    {
        var s = await StageReorgAsync();
        using var cancel = new CancellationTokenSource();
        var disconnects = 0;
        Sql(s.Node).Failpoint = step =>
        {
            // The caller gives up once the writer has started moving the tip.
            if (step == "disconnect:outputs" && ++disconnects == 5)
            {
                cancel.Cancel();
            }

            return Task.CompletedTask;
        };

        try
        {
            await s.Node.Engine.ProcessBlockAsync(s.Branch[^1], cancel.Token);
        }
        catch (OperationCanceledException)
        {
            // Telling the caller it gave up is fine; stopping the reorg half-way is not.
        }
        finally
        {
            Sql(s.Node).Failpoint = null;
        }

        cancel.IsCancellationRequested.ShouldBeTrue("the caller cancelled in the middle of the reorg");
        await ShouldBeOnAsync(s.Node, s.Branch[^1].Hash, ReorgDepth + 2);
        s.Node.Mempool.Contains(s.Payment.TxId).ShouldBeTrue("the disconnected payment returns to the mempool");
        (await s.Node.Store.GetTransactionAsync(s.Payment.TxId)).ShouldBeNull();
        (await s.Node.Store.GetBalanceAsync(s.Bob.KeyHash)).ShouldBe(Amount.Zero);
        (await s.Node.Store.GetBalanceAsync(s.Alice.KeyHash)).ShouldBe(Subsidy.ForHeight(1, Regtest));
        (await s.Node.Store.GetBalanceAsync(s.Rival.KeyHash)).ShouldBe(new Amount(Subsidy.ForHeight(2, Regtest).Units * (ReorgDepth + 1)));
    }

    [TestCase("connect:spends", 10)]
    [TestCase("disconnect:spends", 5)]
    public async Task A_store_failure_during_a_reorg_settles_on_the_old_tip_and_a_later_block_completes_the_reorg(string step, int failAt)
    {
        var s = await StageReorgAsync();
        var reached = 0;
        Sql(s.Node).Failpoint = at => at == step && ++reached == failAt ? throw new Failpoints.InjectedFailureException(at) : Task.CompletedTask;

        try
        {
            await Should.ThrowAsync<Failpoints.InjectedFailureException>(() => s.Node.Engine.ProcessBlockAsync(s.Branch[^1]));
        }
        finally
        {
            Sql(s.Node).Failpoint = null;
        }

        // The branch could not be fully connected: the node is back on its old tip, nothing lost.
        await ShouldBeOnAsync(s.Node, s.OldTip.Hash, ReorgDepth + 1);
        (await s.Node.Store.GetTransactionAsync(s.Payment.TxId)).ShouldNotBeNull("the payment is confirmed again on the old chain");
        s.Node.Mempool.Contains(s.Payment.TxId).ShouldBeFalse();
        (await s.Node.Store.GetBalanceAsync(s.Bob.KeyHash)).ShouldBe(Subsidy.ForHeight(1, Regtest) - Fee);
        (await s.Node.Store.GetBalanceAsync(s.Rival.KeyHash)).ShouldBe(Amount.Zero);

        // The branch is not invalid: once the store works, the next block on it takes the chain over.
        var next = BlockFactory.Next(s.Branch[^1], ReorgDepth + 2, s.Rival.KeyHash, Regtest, extraNonce: 1);
        (await s.Node.Engine.ProcessBlockAsync(next)).BecameTip.ShouldBeTrue();
        await ShouldBeOnAsync(s.Node, next.Hash, ReorgDepth + 3);
        s.Node.Mempool.Contains(s.Payment.TxId).ShouldBeTrue("the disconnected payment returns to the mempool");
    }

    [Test]
    public async Task A_branch_left_unconnected_by_a_store_failure_is_connected_at_the_next_start()
    {
        var s = await StageReorgAsync();
        var connects = 0;
        Sql(s.Node).Failpoint = at => at == "connect:commit" && ++connects == 1 ? throw new Failpoints.InjectedFailureException(at) : Task.CompletedTask;
        try
        {
            await Should.ThrowAsync<Failpoints.InjectedFailureException>(() => s.Node.Engine.ProcessBlockAsync(s.Branch[^1]));
        }
        finally
        {
            Sql(s.Node).Failpoint = null;
        }

        await ShouldBeOnAsync(s.Node, s.OldTip.Hash, ReorgDepth + 1);
        await s.Node.DisposeAsync();

        await using var restarted = await StartNodeAsync(store: store, reset: false);
        await ShouldBeOnAsync(restarted, s.Branch[^1].Hash, ReorgDepth + 2);
        (await restarted.Store.GetTransactionAsync(s.Payment.TxId)).ShouldBeNull();
        (await restarted.Store.GetBalanceAsync(s.Bob.KeyHash)).ShouldBe(Amount.Zero);
    }

    [Test]
    public async Task A_template_taken_during_a_reorg_is_built_on_a_whole_chain_state()
    {
        var s = await StageReorgAsync();

        // Bob spends the payment's output while it is still confirmed on the old chain.
        var carol = Wallets.NewWallet();
        var paid = Subsidy.ForHeight(1, Regtest) - Fee;
        var spend = Wallets.Spend(s.Bob, new OutPoint(s.Payment.TxId, 0), paid, carol.Address, Fee);
        (await s.Node.Engine.AcceptTransactionAsync(spend)).Accepted.ShouldBeTrue();

        BlockTemplate? during = null;
        Sql(s.Node).Failpoint = step =>
        {
            // The old blocks are disconnected and the branch is being connected: ask for a template now.
            if (step == "connect:block" && during is null)
            {
                during = s.Node.Engine.CreateTemplate(carol.KeyHash);
            }

            return Task.CompletedTask;
        };

        try
        {
            (await s.Node.Engine.ProcessBlockAsync(s.Branch[^1])).BecameTip.ShouldBeTrue();
        }
        finally
        {
            Sql(s.Node).Failpoint = null;
        }

        during.ShouldNotBeNull();
        var tipThen = s.Node.FindBlock(during.Block.Header.PreviousHash).ShouldNotBeNull();
        new[] { s.OldTip.Hash, s.Branch[^1].Hash }.ShouldContain(tipThen.Hash, "a template is built on a tip some completed activation published");
        var solved = BlockSolver.Solve(during.Block, Regtest, CancellationToken.None);
        var result = await s.Node.Engine.ProcessBlockAsync(solved);
        result.Status.ShouldNotBe(BlockStatus.Invalid, result.Validation.ToString());

        var after = BlockSolver.Solve(s.Node.Engine.CreateTemplate(carol.KeyHash).Block, Regtest, CancellationToken.None);
        (await s.Node.Engine.ProcessBlockAsync(after)).BecameTip.ShouldBeTrue();
    }

    [Test]
    public async Task The_genesis_output_is_in_no_balance_and_not_in_the_utxo_set()
    {
        await using var node = await StartNodeAsync(store: store);
        var coinbase = Regtest.Genesis.Transactions[0];
        var keyHash = coinbase.Outputs[0].PublicKeyHash.ToArray();

        (await node.Store.GetBalanceAsync(keyHash)).ShouldBe(Amount.Zero);
        (await node.Store.GetCoinsAsync([new OutPoint(coinbase.TxId, 0)])).ShouldBeEmpty();
        (await node.Store.GetCoinsByAddressAsync(keyHash)).ShouldBeEmpty();

        await node.MineAsync(1, Wallets.NewWallet().Address.ToString());
        await using var restarted = await StartNodeAsync(store: store, reset: false);
        (await restarted.Store.GetBalanceAsync(keyHash)).ShouldBe(Amount.Zero);
        (await restarted.Store.GetCoinsAsync([new OutPoint(coinbase.TxId, 0)])).ShouldBeEmpty();
    }

    [Test]
    public async Task Zero_value_outputs_are_refused_by_policy_not_consensus()
    {
        await using var node = await StartNodeAsync(store: store);
        var alice = Wallets.NewWallet();
        await node.MineAsync(1, alice.Address.ToString());
        var coin = (await Wallets.CoinsAsync(node, alice))[0];
        var zero = TestData.Spend(alice.Key, [coin.OutPoint], [new TxOut(coin.Value - Fee, [.. alice.KeyHash]), new TxOut(Amount.Zero, [.. alice.KeyHash])]);

        var result = await node.Engine.AcceptTransactionAsync(zero);

        result.Validation.Code.ShouldBe(RejectCodes.OutputNotPositive);
        result.Validation.Category.ShouldBe(ValidationCategory.Policy);
        node.Mempool.Count.ShouldBe(0);
    }

    [Test]
    public async Task A_transaction_over_100_000_bytes_is_refused_by_policy()
    {
        await using var node = await StartNodeAsync(store: store);
        var alice = Wallets.NewWallet();
        await node.MineAsync(1, alice.Address.ToString());
        var coin = (await Wallets.CoinsAsync(node, alice))[0];
        var fee = Amount.ParseCoins("0.01");
        var outputs = Enumerable.Range(0, 3_700).Select(_ => new TxOut(new Amount(1_000), [.. alice.KeyHash])).ToList();
        outputs.Add(new TxOut(coin.Value - fee - new Amount(1_000 * 3_700), [.. alice.KeyHash]));
        var big = TestData.Spend(alice.Key, [coin.OutPoint], outputs);
        big.SerializedSize.ShouldBeGreaterThan(100_000);
        big.SerializedSize.ShouldBeLessThan(Regtest.MaxBlockSize);

        var result = await node.Engine.AcceptTransactionAsync(big);

        result.Validation.Code.ShouldBe(RejectCodes.TxSize);
        result.Validation.Category.ShouldBe(ValidationCategory.Policy);
    }

    [Test]
    public async Task A_chain_of_more_than_25_unconfirmed_transactions_is_refused_by_policy()
    {
        await using var node = await StartNodeAsync(store: store);

        var results = await SendChainAsync(node, 26);

        results.Take(25).ShouldAllBe(r => r.Accepted);
        results[^1].Validation.Code.ShouldBe(RejectCodes.TooLongMempoolChain);
        results[^1].Validation.Category.ShouldBe(ValidationCategory.Policy);
        node.Mempool.Count.ShouldBe(25);
    }

    [Test]
    public async Task A_node_configured_for_shorter_chains_of_unconfirmed_transactions_applies_its_limit()
    {
        await using var node = await StartNodeAsync(store: store, settings: new Dictionary<string, string?> { ["Node:MempoolMaxAncestors"] = "3" });

        var results = await SendChainAsync(node, 4);

        results.Take(3).ShouldAllBe(r => r.Accepted);
        results[^1].Validation.Code.ShouldBe(RejectCodes.TooLongMempoolChain);
        node.Services.GetRequiredService<TransactionPool>().Limits.MaxAncestors.ShouldBe(3, "the pool the node built has the configured limit");
    }

    [Test]
    public async Task Store_readers_see_a_reorg_whole_or_not_at_all()
    {
        var s = await StageReorgAsync();
        var before = await StoreViewAsync(s);
        var during = new List<(string Step, string View)>();
        var reached = new Dictionary<string, int>();
        Sql(s.Node).Failpoint = async step =>
        {
            // Another reader, outside the writer, looks at the store at points all through the reorg.
            reached[step] = reached.GetValueOrDefault(step) + 1;
            if (reached[step] is 1 or 15 or ReorgDepth || step == "connect:commit" && reached[step] == ReorgDepth + 1)
            {
                during.Add(($"{step} #{reached[step]}", await StoreViewAsync(s)));
            }
        };

        try
        {
            (await s.Node.Engine.ProcessBlockAsync(s.Branch[^1])).BecameTip.ShouldBeTrue();
        }
        finally
        {
            Sql(s.Node).Failpoint = null;
        }

        var after = await StoreViewAsync(s);
        after.ShouldNotBe(before);
        during.Count.ShouldBeGreaterThan(10);
        foreach (var (step, view) in during)
        {
            view.ShouldBe(before, $"read at {step}: until the reorg commits, readers see the old chain whole");
        }
    }

    [Test]
    public async Task A_block_whose_signature_fails_after_its_rows_were_written_leaves_the_store_as_it_was()
    {
        await using var node = await StartNodeAsync(store: store);
        var alice = Wallets.NewWallet();
        var miner = Wallets.NewWallet();
        var funding = BlockFactory.Next(node.Tip, alice.KeyHash, Regtest);
        (await node.Engine.ProcessBlockAsync(funding)).BecameTip.ShouldBeTrue();
        var fork = node.Tip;
        var oldTip = BlockFactory.Next(fork, miner.KeyHash, Regtest);
        (await node.Engine.ProcessBlockAsync(oldTip)).BecameTip.ShouldBeTrue();
        var rows = await ChainStateRowsAsync(node);

        // A branch that takes the chain over at its second block, whose payment carries a valid
        // signature over the wrong message: every rule but the signature passes, so the block's rows
        // are written before its signature fails.
        var coin = new OutPoint(funding.Transactions[0].TxId, 0);
        var honest = Wallets.Spend(alice, coin, Subsidy.ForHeight(1, Regtest), miner.Address, Fee);
        var forged = honest.WithInputs([honest.Inputs[0].WithSignature(alice.Key.Sign(Hash256.Compute("another message"u8).ToBytes()))]);
        var first = BlockFactory.Next(fork, miner.KeyHash, Regtest, extraNonce: 1);
        var second = BlockFactory.Next(first, fork.Height + 1, miner.KeyHash, Regtest, [forged], Fee);
        (await node.Engine.ProcessBlockAsync(first)).BecameTip.ShouldBeFalse("equal work: the block seen first stays the tip");

        var result = await node.Engine.ProcessBlockAsync(second);

        result.Status.ShouldBe(BlockStatus.Invalid);
        result.Validation.Code.ShouldBe(RejectCodes.BadSignature);
        await ShouldBeOnAsync(node, oldTip.Hash, fork.Height + 1);
        (await ChainStateRowsAsync(node)).ShouldBe(rows, "the reorg's disconnect and the refused block's rows were rolled back together");
        (await node.Engine.ProcessBlockAsync(BlockFactory.Next(second, fork.Height + 2, miner.KeyHash, Regtest))).Status.ShouldBe(BlockStatus.Invalid);

        // The coin the forged payment spent is still there for an honest one, on either branch.
        var honestSecond = BlockFactory.Next(first, fork.Height + 1, miner.KeyHash, Regtest, [honest], Fee);
        (await node.Engine.ProcessBlockAsync(honestSecond)).BecameTip.ShouldBeTrue();
        await ShouldBeOnAsync(node, honestSecond.Hash, fork.Height + 2);
        (await node.Store.GetBalanceAsync(alice.KeyHash)).ShouldBe(Amount.Zero);
    }

    /// <summary>What a reader of the store sees: height, tip, the block at the payment's height, balances, the payment's place.</summary>
    private static async Task<string> StoreViewAsync(Staged s)
    {
        var store = s.Node.Store;
        var tip = await store.GetLatestBlockAsync();
        var second = await store.GetBlockByHeightAsync(2);
        var payment = await store.GetTransactionAsync(s.Payment.TxId);
        return string.Join(' ',
            await store.GetChainHeightAsync(), tip?.Hash, second?.Hash,
            await store.GetBalanceAsync(s.Alice.KeyHash), await store.GetBalanceAsync(s.Bob.KeyHash), await store.GetBalanceAsync(s.Rival.KeyHash),
            (await store.GetCoinsByAddressAsync(s.Bob.KeyHash)).Count, payment?.BlockHash.ToString() ?? "unconfirmed");
    }

    /// <summary>Every chain-state row but the blocks' own (a refused block stays stored, flagged invalid).</summary>
    private static async Task<List<string>> ChainStateRowsAsync(TestNode node) =>
        [.. (await Sql(node).SnapshotAsync()).Where(r => !r.StartsWith("block|", StringComparison.Ordinal))];

    /// <summary>Mines a coin to a new wallet, then sends <paramref name="count"/> transactions, each spending the one before.</summary>
    private static async Task<List<TransactionResult>> SendChainAsync(TestNode node, int count)
    {
        var alice = Wallets.NewWallet();
        await node.MineAsync(1, alice.Address.ToString());
        var coin = (await Wallets.CoinsAsync(node, alice))[0];
        var outPoint = coin.OutPoint;
        var value = coin.Value;
        var results = new List<TransactionResult>();
        for (var i = 0; i < count; i++)
        {
            var tx = Wallets.Spend(alice, outPoint, value, alice.Address, Fee);
            results.Add(await node.Engine.AcceptTransactionAsync(tx));
            outPoint = new OutPoint(tx.TxId, 0);
            value -= Fee;
        }

        return results;
    }

    private static async Task ShouldBeOnAsync(TestNode node, Hash256 tip, int height)
    {
        node.TipHash.ShouldBe(tip);
        node.Height.ShouldBe(height);
        (await node.Store.GetLatestBlockAsync())!.Hash.ShouldBe(tip, "the store's main chain ends where the engine's does");
        (await node.Store.GetChainHeightAsync()).ShouldBe(height);
    }
}
