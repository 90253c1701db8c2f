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
public sealed class ChainLogTests
{
    private static readonly Amount Fee = new(10_000);

    private EngineKit _kit = null!;

    [SetUp]
    public async Task StartAsync() => _kit = await EngineKit.StartAsync();

    [TearDown]
    public async Task StopAsync() => await _kit.DisposeAsync();

    private ChainEngine Engine => _kit.Engine;

    [Test]
    public async Task A_new_chain_and_each_move_of_the_tip_are_logged_as_information()
    {
        var block = (await _kit.MineAsync(1))[0];

        _kit.Logged("INF").ShouldContain(l => l.Contains($"New chain on regtest: genesis {_kit.Params.GenesisHash}", StringComparison.Ordinal));
        _kit.Logged("INF").ShouldContain(l => l.Contains($"Tip {block.Hash} at height 1 (0 disconnected, 1 connected)", StringComparison.Ordinal));
    }

    [Test]
    public async Task A_restart_logs_where_it_resumed()
    {
        await _kit.MineAsync(2);
        var log = new TestLog();
        using var factory = LoggerFactory.Create(b => b.AddProvider(log.ProviderFor("node")));
        using var restarted = new ChainEngine(_kit.Store, _kit.Params, new TransactionPool(10, 100_000, clock: _kit.Clock), _kit.Clock, 1_000, 10, factory.CreateLogger<ChainEngine>());

        await restarted.InitializeAsync();

        log.Lines.ShouldContain(l => l.Contains($"Resumed regtest chain at height 2, tip {_kit.Tip.Hash}", StringComparison.Ordinal));
    }

    [Test]
    public async Task An_invalid_block_is_a_warning_with_its_code_a_known_block_a_debug_line_and_an_orphan_information()
    {
        var overpaying = _kit.Next(fees: new Amount(1));
        var block = _kit.Next(extraNonce: 1);
        var orphan = BlockFactory.Next(block, 1, _kit.Miner.KeyHash, _kit.Params);

        await Engine.ProcessBlockAsync(overpaying);
        await Engine.ProcessBlockAsync(block);
        await Engine.ProcessBlockAsync(block);
        await Engine.ProcessBlockAsync(BlockFactory.Next(orphan, 2, _kit.Miner.KeyHash, _kit.Params));

        _kit.Logged("WRN").ShouldContain(l => l.Contains($"Refused block {overpaying.Hash}: {RejectCodes.BadCoinbaseAmount} (Invalid)", StringComparison.Ordinal));
        _kit.Logged("WRN").ShouldContain(l => l.Contains($"Refused block {overpaying.Hash} at height 1: {RejectCodes.BadCoinbaseAmount} (Invalid)", StringComparison.Ordinal));
        _kit.Logged("DBG").ShouldContain(l => l.Contains($"Refused block {block.Hash}: {RejectCodes.DuplicateBlock} (Duplicate)", StringComparison.Ordinal));
        _kit.Logged("INF").ShouldContain(l => l.Contains($": {RejectCodes.BadPrevBlock} (MissingInputs)", StringComparison.Ordinal));
        _kit.Logged("WRN").ShouldNotContain(l => l.Contains(RejectCodes.DuplicateBlock, StringComparison.Ordinal));
    }

    [Test]
    public async Task A_store_failure_connecting_is_an_error_and_the_settled_tip_a_warning()
    {
        await _kit.MineAsync(1);
        var tip = _kit.Tip;
        var next = _kit.Next();
        _kit.Store.FailOnce("connect:spends");

        await Should.ThrowAsync<InMemoryChainStore.InjectedStoreFailureException>(() => Engine.ProcessBlockAsync(next));

        _kit.Logged("ERR").ShouldContain(l => l.Contains($"The store failed connecting block {next.Hash} at height 2", StringComparison.Ordinal));
        _kit.Logged("WRN").ShouldContain(l => l.Contains(
            $"The store failed during activation; settled on tip {tip.Hash} at height 1 (was {tip.Hash} at 1)", StringComparison.Ordinal));
    }

    [Test]
    public async Task A_store_failure_disconnecting_or_committing_names_the_fork_or_the_target()
    {
        await _kit.MineAsync(1);
        var side = BlockFactory.Branch(_kit.Genesis, 3, _kit.Miner.KeyHash, _kit.Params, extraNonce: 2);
        await _kit.ProcessAllAsync(side.Take(1));
        _kit.Store.FailOnce("disconnect:spends");
        await Should.ThrowAsync<InMemoryChainStore.InjectedStoreFailureException>(() => Engine.ProcessBlockAsync(side[1]));
        _kit.Store.FailOnce("commit");
        await Should.ThrowAsync<InMemoryChainStore.InjectedStoreFailureException>(() => Engine.ProcessBlockAsync(side[2]));

        _kit.Logged("ERR").ShouldContain(l => l.Contains($"The store failed disconnecting down to block {_kit.Genesis.Hash} at height 0", StringComparison.Ordinal));
        _kit.Logged("ERR").ShouldContain(l => l.Contains($"The store failed committing the move to block {side[2].Hash} at height 3", StringComparison.Ordinal));
    }

    [Test]
    public async Task A_store_failure_opening_an_update_leaves_nothing_to_close()
    {
        _kit.Store.FailOnce("begin");

        await Should.ThrowAsync<InMemoryChainStore.InjectedStoreFailureException>(() => Engine.ProcessBlockAsync(_kit.Next()));

        _kit.Logged("ERR").ShouldNotContain(l => l.Contains("closing a chain update", StringComparison.Ordinal));
    }

    [Test]
    public async Task A_block_the_store_cannot_load_is_an_error_and_the_tip_stays()
    {
        await _kit.MineAsync(1);
        var tip = _kit.Tip;
        var stored = _kit.Next();
        _kit.Store.FailOnce("connect:block");
        await Should.ThrowAsync<InMemoryChainStore.InjectedStoreFailureException>(() => Engine.ProcessBlockAsync(stored));
        _kit.Store.FailOnce("get-block");

        await Should.ThrowAsync<InMemoryChainStore.InjectedStoreFailureException>(() => Engine.ProcessBlockAsync(BlockFactory.Next(stored, 2, _kit.Miner.KeyHash, _kit.Params)));

        _kit.Tip.ShouldBeSameAs(tip);
        _kit.Logged("ERR").ShouldContain(l => l.Contains($"The store failed loading block {stored.Hash} at height 2", StringComparison.Ordinal));
    }

    [Test]
    public async Task Failures_to_close_an_update_or_to_mark_a_block_invalid_are_errors()
    {
        _kit.Store.FailAlways("dispose");
        await _kit.MineAsync(1);
        var overpaying = _kit.Next(fees: new Amount(1));
        _kit.Store.FailOnce("mark-invalid");

        (await Engine.ProcessBlockAsync(overpaying)).Code.ShouldBe(RejectCodes.BadCoinbaseAmount);

        _kit.Logged("ERR").ShouldContain(l => l.Contains("The store failed closing a chain update", StringComparison.Ordinal));
        _kit.Logged("ERR").ShouldContain(l => l.Contains($"The store failed marking block {overpaying.Hash} invalid", StringComparison.Ordinal));
    }

    [Test]
    public async Task A_refused_transaction_is_information_with_its_code()
    {
        var funding = (await _kit.MineAsync(1))[0].Transactions[0];
        var tx = EngineKit.Pay(_kit.Miner, funding, _kit.Miner, new Amount(1));

        (await Engine.AcceptTransactionAsync(tx)).Validation.Code.ShouldBe(RejectCodes.FeeTooLow);

        _kit.Logged("INF").ShouldContain(l => l.Contains($"Refused transaction {tx.TxId}: {RejectCodes.FeeTooLow} (Policy)", StringComparison.Ordinal));
    }

    [Test]
    public async Task A_pooled_transaction_the_assembler_leaves_out_is_an_error_naming_it_and_the_tip_once_per_snapshot()
    {
        var funding = (await _kit.MineAsync(3)).Select(b => b.Transactions[0]).ToList();
        var broken = EngineKit.Pay(_kit.Miner, funding[0], _kit.Miner, Fee);
        _kit.Pool.Add(new MempoolEntry(broken, Fee, [new SpentCoin(broken.Inputs[0].PreviousOutput, new Coin(new TxOut(new Amount(1), [.. _kit.Miner.KeyHash]), 1, true))],
            _kit.Clock.GetUtcNow(), _kit.Pool.NextSequence()));
        // Its child also spends a confirmed coin, and has a child of its own: both leave with it, unlogged.
        var child = TestData.Spend(_kit.Miner.Key, [new OutPoint(broken.TxId, 0), new OutPoint(funding[2].TxId, 0)],
            [TestData.Pay(_kit.Miner.Key, broken.Outputs[0].Value + funding[2].Outputs[0].Value - Fee)]);
        var grandChild = EngineKit.Pay(_kit.Miner, child, _kit.Miner, Fee);
        var coinOfFunding2 = new Coin(funding[2].Outputs[0], 3, true);
        _kit.Pool.Add(new MempoolEntry(child, Fee, [new SpentCoin(child.Inputs[0].PreviousOutput, new Coin(broken.Outputs[0], 4, false)), new SpentCoin(child.Inputs[1].PreviousOutput, coinOfFunding2)],
            _kit.Clock.GetUtcNow(), _kit.Pool.NextSequence()));
        _kit.Pool.Add(new MempoolEntry(grandChild, Fee, [new SpentCoin(grandChild.Inputs[0].PreviousOutput, new Coin(child.Outputs[0], 4, false))],
            _kit.Clock.GetUtcNow(), _kit.Pool.NextSequence()));
        var good = EngineKit.Pay(_kit.Miner, funding[1], _kit.Miner, Fee);
        (await Engine.AcceptTransactionAsync(good)).Accepted.ShouldBeTrue();

        Engine.CreateTemplate(_kit.Miner.KeyHash).Block.Transactions.Length.ShouldBe(2);
        Engine.CreateTemplate(_kit.Miner.KeyHash).Block.Transactions.Length.ShouldBe(2);
        _kit.Logged("ERR").Count(l => l.Contains("does not connect", StringComparison.Ordinal)).ShouldBe(1);

        _kit.Logged("ERR").Count(l => l.Contains($"Mempool transaction {broken.TxId} does not connect on tip {_kit.Tip.Hash}; left out of templates", StringComparison.Ordinal))
            .ShouldBe(1, "the selection is checked once per snapshot");
    }
}
