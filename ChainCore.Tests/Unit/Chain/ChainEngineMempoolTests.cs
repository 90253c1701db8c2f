using System.Collections.Immutable;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;
using ChainCore.Node.Mempool;
using ChainCore.Tests.Fixtures;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Unit.Chain;

/// <summary>
/// The engine's mempool around blocks, over an in-memory store: what a block confirms or conflicts
/// away (and the events saying which), what a reorg brings back or makes wait, and when a large
/// pool's choice for the next block is rebuilt.
/// </summary>
[TestFixture, Category("Unit")]
public sealed class ChainEngineMempoolTests : EngineTestBase
{
    private async Task<Transaction> AcceptAsync(Transaction funding, Amount fee, TestWallet? to = null)
    {
        var tx = EngineKit.Pay(Kit.Miner, funding, to ?? Kit.Miner, fee);
        var result = await Engine.AcceptTransactionAsync(tx);
        result.Accepted.ShouldBeTrue(result.Validation.ToString());
        return tx;
    }

    private static List<string> Drain(ChainEvents.Subscription subscription)
    {
        var events = new List<string>();
        while (subscription.Reader.TryRead(out var e))
        {
            events.Add(e switch
            {
                BlockConnected c => $"connected {c.Block.Hash}",
                BlockDisconnected d => $"disconnected {d.Block.Hash}",
                TransactionAccepted a => $"accepted {a.Transaction.TxId} {a.Fee.Units}",
                TransactionRemoved r => $"removed {r.TxId} {r.Reason}",
                TipMoved => "tip",
                _ => e.GetType().Name,
            });
        }

        return events;
    }

    [Test]
    public async Task An_accepted_transaction_is_announced_with_its_fee_and_a_refused_one_is_not()
    {
        var funding = (await Kit.MineAsync(1))[0].Transactions[0];
        using var events = Engine.Events.Subscribe();
        var tx = await AcceptAsync(funding, Fee);

        var twice = await Engine.AcceptTransactionAsync(tx);

        twice.Validation.Code.ShouldBe(RejectCodes.AlreadyKnown);
        Engine.IsInMempool(tx.TxId).ShouldBeTrue();
        Drain(events).ShouldBe([$"accepted {tx.TxId} {Fee.Units}"]);
        Engine.MinRelayFeePerKb.ShouldBe(1_000);
        Engine.MempoolMinimumFeePerKb.ShouldBe(1_000);
    }

    [Test]
    public async Task A_block_confirming_a_pooled_transaction_removes_it_as_mined_and_its_double_spend_as_a_conflict()
    {
        var funding = (await Kit.MineAsync(2)).Select(b => b.Transactions[0]).ToList();
        var mined = await AcceptAsync(funding[0], Fee);
        var pooled = await AcceptAsync(funding[1], Fee);
        var doubleSpend = Wallets.Spend(Kit.Miner, new OutPoint(funding[1].TxId, 0), funding[1].Outputs[0].Value, Wallets.NewWallet().Address, Fee);
        var block = Kit.Next(transactions: [mined, doubleSpend], fees: Fee + Fee);
        using var events = Engine.Events.Subscribe();

        (await Engine.ProcessBlockAsync(block)).BecameTip.ShouldBeTrue();

        Kit.Pool.Count.ShouldBe(0);
        Drain(events).ShouldBe([$"connected {block.Hash}", $"removed {mined.TxId} Block", $"removed {pooled.TxId} Conflict", "tip"]);
    }

    /// <summary>
    /// A parent mined in <c>withParent</c>, its child pooled, and the first block of a rival branch that
    /// spends the parent's funding coin otherwise (processed, one block short of overtaking): once the
    /// branch leads, the parent conflicts and the child loses its input.
    /// </summary>
    private Task<(Transaction Parent, Block WithParent, Transaction Child, Block Rival)> StageRivalBranchAsync() => StageRivalBranchAsync(Kit);

    private static async Task<(Transaction Parent, Block WithParent, Transaction Child, Block Rival)> StageRivalBranchAsync(EngineKit kit)
    {
        var funding = (await kit.MineAsync(1))[0];
        var fork = kit.Tip;
        var parent = EngineKit.Pay(kit.Miner, funding.Transactions[0], kit.Miner, Fee);
        var withParent = kit.Next(transactions: [parent], fees: Fee);
        await kit.ProcessAllAsync([withParent]);
        var child = EngineKit.Pay(kit.Miner, parent, kit.Miner, Fee);
        (await kit.Engine.AcceptTransactionAsync(child)).Accepted.ShouldBeTrue();
        var rivalSpend = Wallets.Spend(kit.Miner, new OutPoint(funding.Transactions[0].TxId, 0), funding.Transactions[0].Outputs[0].Value, Wallets.NewWallet().Address, Fee + Fee);
        var rival = kit.Next(fork, [rivalSpend], Fee + Fee, extraNonce: 1);
        await kit.ProcessAllAsync([rival]);
        return (parent, withParent, child, rival);
    }

    /// <summary>
    /// A kit whose pool holds two transactions at most: <paramref name="funding"/> coinbases mined, then
    /// a pooled child left waiting for its parent by a reorg to a rival branch (see
    /// <see cref="StageRivalBranchAsync(EngineKit)"/>), and the branch back to its parent built (not processed).
    /// </summary>
    private static async Task<(EngineKit Kit, List<Transaction> Funding, Transaction Child, IReadOnlyList<Block> Back)> WaitingChildAsync(int funding)
    {
        var kit = await EngineKit.StartAsync(maxPoolTransactions: 2);
        var coins = (await kit.MineAsync(funding)).Select(b => b.Transactions[0]).ToList();
        var (_, withParent, child, rival) = await StageRivalBranchAsync(kit);
        await kit.ProcessAllAsync([kit.Next(kit.Engine.GetEntry(rival.Hash), extraNonce: 1)]);
        kit.Engine.IsInMempool(child.TxId).ShouldBeFalse();
        kit.Log.Lines.ShouldContain(l => l.EndsWith($"{child.TxId} waits for its inputs to return in a later reorg", StringComparison.Ordinal));
        var back = BlockFactory.Branch(kit.Engine.GetEntry(withParent.Hash)!, 2, kit.Miner.KeyHash, kit.Params, extraNonce: 2);
        return (kit, coins, child, back);
    }

    [Test]
    public async Task A_waiting_transaction_that_returns_into_a_full_pool_evicts_a_cheaper_one_which_is_announced_as_dropped()
    {
        var (kit, funding, child, back) = await WaitingChildAsync(funding: 2);
        await using var _ = kit;
        var cheap = EngineKit.Pay(kit.Miner, funding[0], kit.Miner, new Amount(2_000));
        var rich = EngineKit.Pay(kit.Miner, funding[1], kit.Miner, new Amount(30_000));
        (await kit.Engine.AcceptTransactionAsync(cheap)).Accepted.ShouldBeTrue();
        (await kit.Engine.AcceptTransactionAsync(rich)).Accepted.ShouldBeTrue();
        using var events = kit.Engine.Events.Subscribe();

        await kit.ProcessAllAsync(back);

        kit.Pool.Snapshot().Select(e => e.TxId).ShouldBe([rich.TxId, child.TxId], ignoreOrder: true);
        Drain(events).Where(e => e.StartsWith("removed", StringComparison.Ordinal) || e.StartsWith("accepted", StringComparison.Ordinal))
            .ShouldBe([$"removed {cheap.TxId} Dropped", $"accepted {child.TxId} {Fee.Units}"]);
    }

    [Test]
    public async Task A_waiting_transaction_refused_on_its_return_for_anything_but_missing_inputs_stops_waiting()
    {
        var (kit, funding, child, back) = await WaitingChildAsync(funding: 2);
        await using var _ = kit;
        var pooled = new[] { 20_000L, 30_000L }.Select((fee, i) => EngineKit.Pay(kit.Miner, funding[i], kit.Miner, new Amount(fee))).ToList();
        foreach (var tx in pooled)
        {
            (await kit.Engine.AcceptTransactionAsync(tx)).Accepted.ShouldBeTrue();
        }

        using var events = kit.Engine.Events.Subscribe();

        await kit.ProcessAllAsync(back);

        kit.Pool.Snapshot().Select(e => e.TxId).ShouldBe(pooled.Select(t => t.TxId), ignoreOrder: true);
        kit.Log.Lines.ShouldContain(l => l.Contains($"{child.TxId} no longer waits for its inputs: {RejectCodes.MempoolFull} (Policy)", StringComparison.Ordinal));
        Drain(events).ShouldNotContain(e => e.Contains(child.TxId.ToString(), StringComparison.Ordinal));
    }

    // A waiting transaction met the fees in force when it was pooled: like one the reorg found in the
    // pool, it returns even if evictions raised the pool's rolling minimum since.
    [Test]
    public async Task A_waiting_transaction_returns_even_below_a_rolling_minimum_that_rose_while_it_waited()
    {
        var (kit, funding, child, back) = await WaitingChildAsync(funding: 3);
        await using var _ = kit;
        var pooled = new[] { 20_000L, 30_000L, 40_000L }.Select((fee, i) => EngineKit.Pay(kit.Miner, funding[i], kit.Miner, new Amount(fee))).ToList();
        foreach (var tx in pooled)
        {
            (await kit.Engine.AcceptTransactionAsync(tx)).Accepted.ShouldBeTrue();
        }

        kit.Engine.IsInMempool(pooled[0].TxId).ShouldBeFalse("the richest evicted the cheapest");
        var minimum = kit.Engine.MempoolMinimumFeePerKb;
        (Fee.Units * 1_000 / child.SerializedSize).ShouldBeLessThan(minimum, "the child pays less than the pool asks now");
        var confirming = BlockFactory.Next(kit.Engine.GetEntry(back[0].Header.PreviousHash)!, kit.Miner.KeyHash, kit.Params, pooled.Skip(1), new Amount(70_000), extraNonce: 2);

        await kit.ProcessAllAsync([confirming]);
        await kit.ProcessAllAsync([kit.Next(kit.Engine.GetEntry(confirming.Hash), extraNonce: 2)]);

        kit.Engine.MempoolMinimumFeePerKb.ShouldBe(minimum, "no time passed");
        kit.Pool.Snapshot().Select(e => e.TxId).ShouldBe([child.TxId]);
        kit.Log.Lines.ShouldContain(l => l.EndsWith($"{child.TxId} found its inputs again and returns to the mempool", StringComparison.Ordinal));
    }

    [Test]
    public async Task A_pooled_transaction_whose_input_a_reorg_took_away_waits_and_returns_when_a_later_reorg_brings_it_back()
    {
        var (parent, withParent, child, rival) = await StageRivalBranchAsync();
        var rival2 = BlockFactory.Next(rival, 2, Kit.Miner.KeyHash, Kit.Params, extraNonce: 1);
        using var events = Engine.Events.Subscribe();

        await Kit.ProcessAllAsync([rival2]);

        Kit.Tip.Hash.ShouldBe(rival2.Hash);
        Engine.IsInMempool(child.TxId).ShouldBeFalse();
        Engine.IsInMempool(parent.TxId).ShouldBeFalse();
        Drain(events).ShouldContain($"removed {child.TxId} Dropped");
        foreach (var waiting in new[] { parent, child })
        {
            Logged($"Dropped {waiting.TxId} from the mempool after a reorg: {RejectCodes.MissingInputs} (MissingInputs)").ShouldBe(1);
            Logged($"{waiting.TxId} waits for its inputs to return in a later reorg").ShouldBe(1);
        }

        var back = BlockFactory.Branch(Engine.GetEntry(withParent.Hash)!, 2, Kit.Miner.KeyHash, Kit.Params, extraNonce: 2);
        await Kit.ProcessAllAsync(back);

        Kit.Tip.Hash.ShouldBe(back[^1].Hash);
        Engine.IsInMempool(child.TxId).ShouldBeTrue("its input is back on the chain");
        Drain(events).ShouldContain($"accepted {child.TxId} {Fee.Units}");
        Logged($"{parent.TxId} no longer waits for its inputs: a block confirmed it or spent one of them").ShouldBe(1);
        Logged($"{child.TxId} found its inputs again and returns to the mempool").ShouldBe(1);
    }

    /// <summary>How many lines the engine logged ending with, or holding, <paramref name="text"/>.</summary>
    private int Logged(string text) => Kit.Log.Lines.Count(l => l.Contains(text, StringComparison.Ordinal));

    [Test]
    public async Task A_store_failure_checking_transactions_again_after_a_reorg_drops_them_and_the_tip_still_moves()
    {
        var funding = (await Kit.MineAsync(2)).Select(b => b.Transactions[0]).ToList();
        var fork = Kit.Tip;
        var mined = EngineKit.Pay(Kit.Miner, funding[0], Kit.Miner, Fee);
        await Kit.ProcessAllAsync([Kit.Next(transactions: [mined], fees: Fee)]);
        var pooled = await AcceptAsync(funding[1], Fee);
        var branch = BlockFactory.Branch(fork, 2, Kit.Miner.KeyHash, Kit.Params, extraNonce: 5);
        await Kit.ProcessAllAsync(branch.Take(1));
        using var events = Engine.Events.Subscribe();
        Kit.Store.FailAlways("get-coins");

        await Kit.ProcessAllAsync(branch.Skip(1));

        Kit.Tip.Hash.ShouldBe(branch[^1].Hash);
        Kit.Pool.Count.ShouldBe(0);
        Drain(events).Where(e => e.StartsWith("removed", StringComparison.Ordinal) || e.StartsWith("accepted", StringComparison.Ordinal))
            .ShouldBe([$"removed {pooled.TxId} Dropped"]);
        Kit.Logged("ERR").ShouldContain(l => l.Contains($"Could not check {pooled.TxId} again after a reorg; dropped from the mempool", StringComparison.Ordinal)
            && l.Contains(nameof(InMemoryChainStore.InjectedStoreFailureException), StringComparison.Ordinal));
    }

    [Test]
    public async Task A_store_failure_retrying_a_waiting_transaction_retries_every_waiting_one_after_the_next_change()
    {
        var (_, withParent, child, rival) = await StageRivalBranchAsync();
        await Kit.ProcessAllAsync([BlockFactory.Next(rival, 2, Kit.Miner.KeyHash, Kit.Params, extraNonce: 1)]);
        Engine.IsInMempool(child.TxId).ShouldBeFalse();
        var back = BlockFactory.Branch(Engine.GetEntry(withParent.Hash)!, 2, Kit.Miner.KeyHash, Kit.Params, extraNonce: 2);
        await Kit.ProcessAllAsync(back.Take(1));
        Kit.Store.FailAlways("get-coins");

        await Kit.ProcessAllAsync(back.Skip(1));

        Kit.Tip.Hash.ShouldBe(back[^1].Hash);
        Engine.IsInMempool(child.TxId).ShouldBeFalse("the store failed while it was tried");
        Kit.Logged("ERR").ShouldContain(l => l.Contains($"Could not try {child.TxId} again after the tip moved", StringComparison.Ordinal)
            && l.Contains(nameof(InMemoryChainStore.InjectedStoreFailureException), StringComparison.Ordinal));

        Kit.Store.Failpoint = null;
        await Kit.MineAsync(1);

        Engine.IsInMempool(child.TxId).ShouldBeTrue("every waiting transaction is tried after the next change");
    }

    [Test]
    public async Task A_reorg_leaving_more_transactions_without_inputs_than_the_room_for_them_keeps_the_newest_hundred()
    {
        var funding = (await Kit.MineAsync(1))[0].Transactions[0];
        var fork = Kit.Tip;
        var chain = new List<Transaction> { EngineKit.Pay(Kit.Miner, funding, Kit.Miner, Fee) };
        while (chain.Count < ReorgOrphanPool.DefaultMaxTransactions + 1)
        {
            chain.Add(EngineKit.Pay(Kit.Miner, chain[^1], Kit.Miner, Fee));
        }

        await Kit.ProcessAllAsync([Kit.Next(transactions: chain, fees: Fee * chain.Count)]);
        var rivalSpend = Wallets.Spend(Kit.Miner, new OutPoint(funding.TxId, 0), funding.Outputs[0].Value, Wallets.NewWallet().Address, Fee);
        var rival = Kit.Next(fork, [rivalSpend], Fee, extraNonce: 7);
        await Kit.ProcessAllAsync([rival]);
        await Kit.ProcessAllAsync([Kit.Next(Engine.GetEntry(rival.Hash), extraNonce: 7)]);

        Engine.WaitingForInputs.ShouldBe(ReorgOrphanPool.DefaultMaxTransactions);
        Kit.Pool.Count.ShouldBe(0);
        Logged($"Dropped {chain[0].TxId} from the transactions waiting for their inputs after a reorg: no room").ShouldBe(1);
        Logged($"{chain[^1].TxId} waits for its inputs to return in a later reorg").ShouldBe(1);
    }

    // A wallet sends again a transaction that waits for its inputs once they are back: the waiting copy
    // leaves without being tried (it is pooled already) on the next change.
    [Test]
    public async Task A_waiting_transaction_sent_again_once_its_parent_is_back_stops_waiting_without_a_retry()
    {
        await using var kit = await EngineKit.StartAsync(maxPoolTransactions: 2);
        var funding = (await kit.MineAsync(3)).Select(b => b.Transactions[0]).ToList();
        var fork = kit.Tip;
        var parent = EngineKit.Pay(kit.Miner, funding[0], kit.Miner, new Amount(2_000));
        var child = EngineKit.Pay(kit.Miner, parent, kit.Miner, new Amount(2_000));
        var mined = new[] { 30_000L, 20_000L }.Select((fee, i) => EngineKit.Pay(kit.Miner, funding[i + 1], kit.Miner, new Amount(fee))).ToList();
        (await kit.Engine.AcceptTransactionAsync(parent)).Accepted.ShouldBeTrue();
        (await kit.Engine.AcceptTransactionAsync(child)).Accepted.ShouldBeTrue();
        await kit.ProcessAllAsync([kit.Next(transactions: mined, fees: new Amount(50_000))]);

        // The reorg returns the two mined ones, which fill the pool: the parent, only pooled, finds no room; its child waits.
        var rival = BlockFactory.Branch(fork, 2, kit.Miner.KeyHash, kit.Params, extraNonce: 9);
        await kit.ProcessAllAsync(rival);
        kit.Engine.IsInMempool(parent.TxId).ShouldBeFalse();
        kit.Engine.WaitingForInputs.ShouldBe(1);
        await kit.ProcessAllAsync([kit.Next(transactions: mined, fees: new Amount(50_000))]);
        kit.Engine.WaitingForInputs.ShouldBe(1, "its parent neither appeared in a block nor is pooled");

        (await kit.Engine.AcceptTransactionAsync(parent)).Accepted.ShouldBeTrue();
        (await kit.Engine.AcceptTransactionAsync(child)).Accepted.ShouldBeTrue();
        await kit.MineAsync(1);

        kit.Engine.WaitingForInputs.ShouldBe(0);
        kit.Engine.IsInMempool(child.TxId).ShouldBeTrue();
        kit.Log.Lines.ShouldNotContain(l => l.Contains($"{child.TxId} no longer waits", StringComparison.Ordinal));
    }

    [Test]
    public async Task The_engine_checks_signatures_with_the_verifier_it_is_given_so_mempool_checks_fill_its_cache()
    {
        var cache = new SignatureCache();
        var clock = Kit.Clock;
        await using var store = new InMemoryChainStore();
        using var engine = new ChainEngine(store, Kit.Params, new TransactionPool(100, 1_000_000, clock: clock), clock, 1_000, 10,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<ChainEngine>.Instance, new SignatureVerifier(cache));
        await engine.InitializeAsync();
        var funding = BlockFactory.Next(engine.Tip, Kit.Miner.KeyHash, Kit.Params);
        (await engine.ProcessBlockAsync(funding)).BecameTip.ShouldBeTrue();
        cache.Count.ShouldBe(0);

        (await engine.AcceptTransactionAsync(EngineKit.Pay(Kit.Miner, funding.Transactions[0], Kit.Miner, Fee))).Accepted.ShouldBeTrue();

        cache.Count.ShouldBe(1);
    }

    [Test]
    public async Task A_mined_transaction_a_reorg_leaves_without_its_input_waits_and_is_confirmed_away_by_a_block_that_spends_its_input()
    {
        var funding = (await Kit.MineAsync(1))[0];
        var fork = Kit.Tip;
        var parent = EngineKit.Pay(Kit.Miner, funding.Transactions[0], Kit.Miner, Fee);
        var child = EngineKit.Pay(Kit.Miner, parent, Kit.Miner, Fee);
        var mined = Kit.Next(transactions: [parent, child], fees: Fee + Fee);
        await Kit.ProcessAllAsync([mined]);
        var rivalSpend = Wallets.Spend(Kit.Miner, new OutPoint(funding.Transactions[0].TxId, 0), funding.Transactions[0].Outputs[0].Value, Kit.Miner.Address, Fee + Fee);
        var rival = BlockFactory.Branch(fork, 2, Kit.Miner.KeyHash, Kit.Params, extraNonce: 3);
        var rivalWithSpend = new[] { rival[0], BlockFactory.Next(rival[0], 2, Kit.Miner.KeyHash, Kit.Params, [rivalSpend], Fee + Fee, extraNonce: 3) };

        await Kit.ProcessAllAsync(rivalWithSpend);

        Kit.Tip.Hash.ShouldBe(rivalWithSpend[1].Hash);
        Engine.IsInMempool(parent.TxId).ShouldBeFalse("the chain spent its input otherwise");
        Engine.IsInMempool(child.TxId).ShouldBeFalse();
        (await Kit.CoinAsync(new OutPoint(rivalSpend.TxId, 0))).ShouldNotBeNull();
    }

    [Test]
    public async Task Transactions_of_a_disconnected_block_return_ahead_of_what_was_pooled_and_keep_their_parents_first()
    {
        var funding = (await Kit.MineAsync(2)).Select(b => b.Transactions[0]).ToList();
        var fork = Kit.Tip;
        var parent = EngineKit.Pay(Kit.Miner, funding[0], Kit.Miner, Fee);
        await Kit.ProcessAllAsync([Kit.Next(transactions: [parent], fees: Fee)]);
        var child = await AcceptAsync(parent, Fee);
        var other = await AcceptAsync(funding[1], Fee);

        await Kit.ProcessAllAsync(BlockFactory.Branch(fork, 2, Kit.Miner.KeyHash, Kit.Params, extraNonce: 4));

        Kit.Pool.Snapshot().Select(e => e.TxId).ShouldBe([parent.TxId, child.TxId, other.TxId]);
        Kit.Pool.Get(parent.TxId)!.FromDisconnectedBlock.ShouldBeTrue();
        Kit.Pool.Get(child.TxId)!.FromDisconnectedBlock.ShouldBeFalse();
    }

    [Test]
    public async Task Transactions_of_two_disconnected_blocks_return_oldest_block_first_so_a_child_finds_its_parent()
    {
        var funding = (await Kit.MineAsync(1))[0].Transactions[0];
        var fork = Kit.Tip;
        var parent = EngineKit.Pay(Kit.Miner, funding, Kit.Miner, Fee);
        var child = EngineKit.Pay(Kit.Miner, parent, Kit.Miner, Fee);
        await Kit.ProcessAllAsync([Kit.Next(transactions: [parent], fees: Fee)]);
        await Kit.ProcessAllAsync([Kit.Next(transactions: [child], fees: Fee)]);

        await Kit.ProcessAllAsync(BlockFactory.Branch(fork, 3, Kit.Miner.KeyHash, Kit.Params, extraNonce: 8));

        Kit.Pool.Snapshot().Select(e => e.TxId).ShouldBe([parent.TxId, child.TxId]);
        Logged("waits for its inputs").ShouldBe(0, "the child came back after its parent, not before");
        Logged("Evicted").ShouldBe(0, "nothing went past the pool's bounds");
    }

    /// <summary>
    /// A kit whose pool holds two transactions, with <paramref name="mined"/> (fees) confirmed in the
    /// tip and <paramref name="pooled"/> (fees) waiting; then a longer branch without them arrives.
    /// Every transaction is one input to one output, so their fee rates order as their fees.
    /// </summary>
    private static async Task<(EngineKit Kit, List<Transaction> Mined, List<Transaction> Pooled, List<string> Events)> ReorgIntoAFullPoolAsync(long[] mined, long[] pooled)
    {
        var kit = await EngineKit.StartAsync(maxPoolTransactions: 2);
        var funding = (await kit.MineAsync(mined.Length + pooled.Length)).Select(b => b.Transactions[0]).ToList();
        var fork = kit.Tip;
        var minedTxs = mined.Select((fee, i) => EngineKit.Pay(kit.Miner, funding[i], kit.Miner, new Amount(fee))).ToList();
        await kit.ProcessAllAsync([kit.Next(transactions: minedTxs, fees: new Amount(mined.Sum()))]);
        var pooledTxs = new List<Transaction>();
        foreach (var (fee, i) in pooled.Select((fee, i) => (fee, i)))
        {
            var tx = EngineKit.Pay(kit.Miner, funding[mined.Length + i], kit.Miner, new Amount(fee));
            (await kit.Engine.AcceptTransactionAsync(tx)).Accepted.ShouldBeTrue();
            pooledTxs.Add(tx);
        }

        using var events = kit.Engine.Events.Subscribe();
        await kit.ProcessAllAsync(BlockFactory.Branch(fork, 2, kit.Miner.KeyHash, kit.Params, extraNonce: 6));
        kit.Tip.Height.ShouldBe(fork.Height + 2);
        return (kit, minedTxs, pooledTxs, Drain(events).Where(e => !e.StartsWith("connected", StringComparison.Ordinal) && !e.StartsWith("disconnected", StringComparison.Ordinal) && e != "tip").ToList());
    }

    [Test]
    public async Task Transactions_of_a_disconnected_block_past_the_pools_bound_are_trimmed_cheapest_first_and_only_the_kept_announced()
    {
        var (kit, mined, _, events) = await ReorgIntoAFullPoolAsync(mined: [10_000, 30_000, 20_000], pooled: []);
        await using var _ = kit;

        kit.Pool.Snapshot().Select(e => e.TxId).ShouldBe([mined[1].TxId, mined[2].TxId]);
        events.ShouldBe([$"accepted {mined[1].TxId} 30000", $"accepted {mined[2].TxId} 20000"]);
        kit.Log.Lines.ShouldContain(l => l.EndsWith("Evicted 1 transactions to bring the mempool back within its bounds after transactions that were mined returned", StringComparison.Ordinal));
    }

    [Test]
    public async Task A_pooled_transaction_left_without_room_by_returning_transactions_of_a_disconnected_block_is_announced_as_dropped()
    {
        var (kit, mined, pooled, events) = await ReorgIntoAFullPoolAsync(mined: [30_000, 20_000], pooled: [10_000]);
        await using var _ = kit;

        kit.Pool.Snapshot().Select(e => e.TxId).ShouldBe([mined[0].TxId, mined[1].TxId]);
        events.ShouldBe([$"removed {pooled[0].TxId} Dropped", $"accepted {mined[0].TxId} 30000", $"accepted {mined[1].TxId} 20000"]);
    }

    // The refill once added what a returning pooled transaction evicts to the removals but left it in
    // the returned list: the evicted transaction of the disconnected block was announced as removed,
    // then as accepted, while not in the pool.
    [Test]
    public async Task A_transaction_of_a_disconnected_block_that_a_pooled_one_evicts_on_its_return_is_not_announced_as_accepted()
    {
        var (kit, mined, pooled, events) = await ReorgIntoAFullPoolAsync(mined: [10_000, 20_000], pooled: [30_000]);
        await using var _ = kit;

        kit.Pool.Snapshot().Select(e => e.TxId).ShouldBe([mined[1].TxId, pooled[0].TxId]);
        kit.Engine.IsInMempool(mined[0].TxId).ShouldBeFalse();
        events.ShouldNotContain(e => e.StartsWith($"accepted {mined[0].TxId}", StringComparison.Ordinal), string.Join("; ", events));
        events.ShouldNotContain(e => e.Contains(mined[0].TxId.ToString(), StringComparison.Ordinal), "it was never announced as pooled, so its eviction is not announced either");
    }

    [Test]
    public async Task Tip_waiters_complete_with_the_new_tip_once_a_block_connects()
    {
        var known = Kit.Tip.Hash;
        var waiting = Engine.WaitForTipChangeAsync(known);
        waiting.IsCompleted.ShouldBeFalse();

        var block = (await Kit.MineAsync(1))[0];

        (await waiting).Hash.ShouldBe(block.Hash);
    }

    /// <summary>Fills the pool with <paramref name="fillers"/> unrelated entries and has the engine publish its choice for a block.</summary>
    private async Task<Transaction> FillAndPublishAsync(int fillers)
    {
        var funding = (await Kit.MineAsync(1))[0].Transactions[0];
        var random = TestSeed.NewRandom(7);
        for (var i = 0; i < fillers; i++)
        {
            var filler = TestData.RandomTransaction(random, inputs: 1, outputs: 1);
            Kit.Pool.Add(new MempoolEntry(filler, new Amount(1), ImmutableArray<SpentCoin>.Empty, Kit.Clock.GetUtcNow(), Kit.Pool.NextSequence()));
        }

        // A block that changes nothing still publishes the tip and the pool's choice.
        await Kit.ProcessAllAsync([Kit.Next(Kit.Genesis, extraNonce: 1)]);
        return funding;
    }

    private List<Hash256> Chosen() => [.. Engine.Assembler.Snapshot!.Chosen.Select(e => e.TxId)];

    [TestCase(498, true)]
    [TestCase(499, false)]
    public async Task A_pool_of_500_keeps_its_choice_for_a_block_when_a_transaction_arrives_and_a_smaller_one_rebuilds_it(int fillers, bool rebuilt)
    {
        var funding = await FillAndPublishAsync(fillers);

        var tx = await AcceptAsync(funding, Fee);

        Chosen().Contains(tx.TxId).ShouldBe(rebuilt);
        Chosen().Count.ShouldBe(rebuilt ? fillers + 1 : fillers);
    }

    [TestCase(4_999, false)]
    [TestCase(5_000, true)]
    public async Task A_large_pool_rebuilds_its_choice_for_a_block_five_seconds_after_the_last_one(int afterMs, bool rebuilt)
    {
        var funding = await FillAndPublishAsync(499);
        var first = await AcceptAsync(funding, Fee);
        Kit.Clock.Advance(TimeSpan.FromMilliseconds(afterMs));

        var second = await AcceptAsync(first, Fee);

        Chosen().Contains(second.TxId).ShouldBe(rebuilt);
        Chosen().Contains(first.TxId).ShouldBe(rebuilt);
    }

    [Test]
    public async Task A_transaction_that_evicts_from_a_full_large_pool_is_announced_after_its_victim_and_the_choice_for_a_block_rebuilt_at_once()
    {
        await using var kit = await EngineKit.StartAsync(maxPoolTransactions: 500);
        var funding = (await kit.MineAsync(2)).Select(b => b.Transactions[0]).ToList();
        var random = TestSeed.NewRandom(11);
        var fillers = new List<Hash256>();
        for (var i = 0; i < 499; i++)
        {
            var filler = TestData.RandomTransaction(random, inputs: 1, outputs: 1);
            kit.Pool.Add(new MempoolEntry(filler, new Amount(1 + i), ImmutableArray<SpentCoin>.Empty, kit.Clock.GetUtcNow(), kit.Pool.NextSequence()));
            fillers.Add(filler.TxId);
        }

        var first = EngineKit.Pay(kit.Miner, funding[0], kit.Miner, Fee);
        (await kit.Engine.AcceptTransactionAsync(first)).Accepted.ShouldBeTrue();
        kit.Pool.Count.ShouldBe(500);
        using var events = kit.Engine.Events.Subscribe();

        var second = EngineKit.Pay(kit.Miner, funding[1], kit.Miner, Fee);
        (await kit.Engine.AcceptTransactionAsync(second)).Accepted.ShouldBeTrue();

        var chosen = kit.Engine.Assembler.Snapshot!.Chosen.Select(e => e.TxId).ToList();
        Drain(events).ShouldBe([$"removed {fillers[0]} Dropped", $"accepted {second.TxId} {Fee.Units}"], "the cheapest filler left for it");
        chosen.ShouldContain(second.TxId, "an eviction rebuilds the choice at once, even in a large pool");
        chosen.ShouldNotContain(fillers[0]);
    }
}
