using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;
using ChainCore.Node.Mempool;
using ChainCore.Tests.Fixtures;
using ChainCore.Tests.Harness;
using Microsoft.Extensions.Logging;

namespace ChainCore.Tests.Unit.Chain;

/// <summary>
/// What the engine tells its operator, at which level: refused blocks by category (an invalid block
/// is a warning, one already known only a debug line), each store failure where it happened and the
/// tip the chain settled on, and transactions the assembler had to leave out.
/// </summary>
[TestFixture, Category("Unit")]
public sealed class ChainLogTests : EngineTestBase
{
    [Test]
    public async Task A_new_chain_and_each_move_of_the_tip_are_logged_as_information()
    {
        var block = (await Kit.MineAsync(1))[0];

        Kit.Logged("INF").ShouldContain(l => l.Contains($"New chain on regtest: genesis {Kit.Params.GenesisHash}", StringComparison.Ordinal));
        Kit.Logged("INF").ShouldContain(l => l.Contains($"Tip {block.Hash} at height 1 (0 disconnected, 1 connected)", StringComparison.Ordinal));
    }

    [Test]
    public async Task A_restart_logs_where_it_resumed()
    {
        await Kit.MineAsync(2);
        var log = new TestLog();
        using var factory = LoggerFactory.Create(b => b.AddProvider(log.ProviderFor("node")));
        using var restarted = new ChainEngine(Kit.Store, Kit.Params, new TransactionPool(10, 100_000, clock: Kit.Clock), Kit.Clock, 1_000, 10, factory.CreateLogger<ChainEngine>());

        await restarted.InitializeAsync();

        log.Lines.ShouldContain(l => l.Contains($"Resumed regtest chain at height 2, tip {Kit.Tip.Hash}", StringComparison.Ordinal));
    }

    [Test]
    public async Task An_invalid_block_is_a_warning_with_its_code_a_known_block_a_debug_line_and_an_orphan_information()
    {
        var overpaying = Kit.Next(fees: new Amount(1));
        var block = Kit.Next(extraNonce: 1);
        var orphan = BlockFactory.Next(block, 1, Kit.Miner.KeyHash, Kit.Params);

        await Engine.ProcessBlockAsync(overpaying);
        await Engine.ProcessBlockAsync(block);
        await Engine.ProcessBlockAsync(block);
        await Engine.ProcessBlockAsync(BlockFactory.Next(orphan, 2, Kit.Miner.KeyHash, Kit.Params));

        Kit.Logged("WRN").ShouldContain(l => l.Contains($"Refused block {overpaying.Hash}: {RejectCodes.BadCoinbaseAmount} (Invalid)", StringComparison.Ordinal));
        Kit.Logged("WRN").ShouldContain(l => l.Contains($"Refused block {overpaying.Hash} at height 1: {RejectCodes.BadCoinbaseAmount} (Invalid)", StringComparison.Ordinal));
        Kit.Logged("DBG").ShouldContain(l => l.Contains($"Refused block {block.Hash}: {RejectCodes.DuplicateBlock} (Duplicate)", StringComparison.Ordinal));
        Kit.Logged("INF").ShouldContain(l => l.Contains($": {RejectCodes.BadPrevBlock} (MissingInputs)", StringComparison.Ordinal));
        Kit.Logged("WRN").ShouldNotContain(l => l.Contains(RejectCodes.DuplicateBlock, StringComparison.Ordinal));
    }

    [Test]
    public async Task A_store_failure_connecting_is_an_error_and_the_settled_tip_a_warning()
    {
        await Kit.MineAsync(1);
        var tip = Kit.Tip;
        var next = Kit.Next();
        Kit.Store.FailOnce("connect:spends");

        await Should.ThrowAsync<InMemoryChainStore.InjectedStoreFailureException>(() => Engine.ProcessBlockAsync(next));

        Kit.Logged("ERR").ShouldContain(l => l.Contains($"The store failed connecting block {next.Hash} at height 2", StringComparison.Ordinal));
        Kit.Logged("WRN").ShouldContain(l => l.Contains(
            $"The store failed during activation; settled on tip {tip.Hash} at height 1 (was {tip.Hash} at 1)", StringComparison.Ordinal));
    }

    [Test]
    public async Task A_store_failure_disconnecting_or_committing_names_the_fork_or_the_target()
    {
        await Kit.MineAsync(1);
        var side = BlockFactory.Branch(Kit.Genesis, 3, Kit.Miner.KeyHash, Kit.Params, extraNonce: 2);
        await Kit.ProcessAllAsync(side.Take(1));
        Kit.Store.FailOnce("disconnect:spends");
        await Should.ThrowAsync<InMemoryChainStore.InjectedStoreFailureException>(() => Engine.ProcessBlockAsync(side[1]));
        Kit.Store.FailOnce("commit");
        await Should.ThrowAsync<InMemoryChainStore.InjectedStoreFailureException>(() => Engine.ProcessBlockAsync(side[2]));

        Kit.Logged("ERR").ShouldContain(l => l.Contains($"The store failed disconnecting down to block {Kit.Genesis.Hash} at height 0", StringComparison.Ordinal));
        Kit.Logged("ERR").ShouldContain(l => l.Contains($"The store failed committing the move to block {side[2].Hash} at height 3", StringComparison.Ordinal));
    }

    [Test]
    public async Task A_store_failure_opening_an_update_leaves_nothing_to_close()
    {
        Kit.Store.FailOnce("begin");

        await Should.ThrowAsync<InMemoryChainStore.InjectedStoreFailureException>(() => Engine.ProcessBlockAsync(Kit.Next()));

        Kit.Logged("ERR").ShouldNotContain(l => l.Contains("closing a chain update", StringComparison.Ordinal));
    }

    [Test]
    public async Task A_block_the_store_cannot_load_is_an_error_and_the_tip_stays()
    {
        await Kit.MineAsync(1);
        var tip = Kit.Tip;
        var stored = Kit.Next();
        Kit.Store.FailOnce("connect:block");
        await Should.ThrowAsync<InMemoryChainStore.InjectedStoreFailureException>(() => Engine.ProcessBlockAsync(stored));
        Kit.Store.FailOnce("get-block");

        await Should.ThrowAsync<InMemoryChainStore.InjectedStoreFailureException>(() => Engine.ProcessBlockAsync(BlockFactory.Next(stored, 2, Kit.Miner.KeyHash, Kit.Params)));

        Kit.Tip.ShouldBeSameAs(tip);
        Kit.Logged("ERR").ShouldContain(l => l.Contains($"The store failed loading block {stored.Hash} at height 2", StringComparison.Ordinal));
    }

    [Test]
    public async Task Failures_to_close_an_update_or_to_mark_a_block_invalid_are_errors()
    {
        Kit.Store.FailAlways("dispose");
        await Kit.MineAsync(1);
        var overpaying = Kit.Next(fees: new Amount(1));
        Kit.Store.FailOnce("mark-invalid");

        (await Engine.ProcessBlockAsync(overpaying)).Code.ShouldBe(RejectCodes.BadCoinbaseAmount);

        Kit.Logged("ERR").ShouldContain(l => l.Contains("The store failed closing a chain update", StringComparison.Ordinal));
        Kit.Logged("ERR").ShouldContain(l => l.Contains($"The store failed marking block {overpaying.Hash} invalid", StringComparison.Ordinal));
    }

    [Test]
    public async Task A_refused_transaction_is_information_with_its_code()
    {
        var funding = (await Kit.MineAsync(1))[0].Transactions[0];
        var tx = EngineKit.Pay(Kit.Miner, funding, Kit.Miner, new Amount(1));

        (await Engine.AcceptTransactionAsync(tx)).Validation.Code.ShouldBe(RejectCodes.FeeTooLow);

        Kit.Logged("INF").ShouldContain(l => l.Contains($"Refused transaction {tx.TxId}: {RejectCodes.FeeTooLow} (Policy)", StringComparison.Ordinal));
    }

    [Test]
    public async Task A_pooled_transaction_the_assembler_leaves_out_is_an_error_naming_it_and_the_tip_once_per_snapshot()
    {
        var funding = (await Kit.MineAsync(3)).Select(b => b.Transactions[0]).ToList();
        var broken = EngineKit.Pay(Kit.Miner, funding[0], Kit.Miner, Fee);
        Kit.Pool.Add(new MempoolEntry(broken, Fee, [new SpentCoin(broken.Inputs[0].PreviousOutput, new Coin(new TxOut(new Amount(1), [.. Kit.Miner.KeyHash]), 1, true))],
            Kit.Clock.GetUtcNow(), Kit.Pool.NextSequence()));
        // Its child also spends a confirmed coin, and has a child of its own: both leave with it, unlogged.
        var child = TestData.Spend(Kit.Miner.Key, [new OutPoint(broken.TxId, 0), new OutPoint(funding[2].TxId, 0)],
            [TestData.Pay(Kit.Miner.Key, broken.Outputs[0].Value + funding[2].Outputs[0].Value - Fee)]);
        var grandChild = EngineKit.Pay(Kit.Miner, child, Kit.Miner, Fee);
        var coinOfFunding2 = new Coin(funding[2].Outputs[0], 3, true);
        Kit.Pool.Add(new MempoolEntry(child, Fee, [new SpentCoin(child.Inputs[0].PreviousOutput, new Coin(broken.Outputs[0], 4, false)), new SpentCoin(child.Inputs[1].PreviousOutput, coinOfFunding2)],
            Kit.Clock.GetUtcNow(), Kit.Pool.NextSequence()));
        Kit.Pool.Add(new MempoolEntry(grandChild, Fee, [new SpentCoin(grandChild.Inputs[0].PreviousOutput, new Coin(child.Outputs[0], 4, false))],
            Kit.Clock.GetUtcNow(), Kit.Pool.NextSequence()));
        var good = EngineKit.Pay(Kit.Miner, funding[1], Kit.Miner, Fee);
        (await Engine.AcceptTransactionAsync(good)).Accepted.ShouldBeTrue();

        Engine.CreateTemplate(Kit.Miner.KeyHash).Block.Transactions.Length.ShouldBe(2);
        Engine.CreateTemplate(Kit.Miner.KeyHash).Block.Transactions.Length.ShouldBe(2);
        Kit.Logged("ERR").Count(l => l.Contains("does not connect", StringComparison.Ordinal)).ShouldBe(1);

        Kit.Logged("ERR").Count(l => l.Contains($"Mempool transaction {broken.TxId} does not connect on tip {Kit.Tip.Hash}; left out of templates", StringComparison.Ordinal))
            .ShouldBe(1, "the selection is checked once per snapshot");
    }
}
