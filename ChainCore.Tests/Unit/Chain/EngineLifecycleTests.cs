using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Unit.Chain;

/// <summary>The engine as a whole over an in-memory store: its tip waiters from the start, callers who gave up, disposal, and the defect planted for the chaos checker.</summary>
[TestFixture, Category("Unit")]
public sealed class EngineLifecycleTests
{
    private EngineKit _kit = null!;

    [SetUp]
    public async Task StartAsync() => _kit = await EngineKit.StartAsync();

    [TearDown]
    public async Task StopAsync() => await _kit.DisposeAsync();

    [Test]
    public async Task A_waiter_who_knows_another_tip_is_answered_at_once_with_the_tip_loaded_at_start()
    {
        var waiting = _kit.Engine.WaitForTipChangeAsync(Hash256.Zero);

        waiting.IsCompleted.ShouldBeTrue();
        (await waiting).ShouldBeSameAs(_kit.Tip);
    }

    [Test]
    public async Task A_caller_who_already_gave_up_is_not_served_and_the_block_not_stored()
    {
        var block = _kit.Next();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => _kit.Engine.ProcessBlockAsync(block, cancelled.Token));
        await Should.ThrowAsync<OperationCanceledException>(() => _kit.Engine.AcceptTransactionAsync(
            EngineKit.Pay(_kit.Miner, block.Transactions[0], _kit.Miner, new Amount(1_000)), cancelled.Token));

        _kit.Engine.GetEntry(block.Hash).ShouldBeNull();
        (await _kit.Store.GetBlockAsync(block.Hash)).ShouldBeNull();
    }

    [Test]
    public async Task A_disposed_engine_takes_no_more_blocks()
    {
        var engine = _kit.Restart();
        await engine.InitializeAsync();
        engine.Dispose();

        await Should.ThrowAsync<ObjectDisposedException>(() => engine.ProcessBlockAsync(_kit.Next()));
    }

    [Test]
    public async Task The_planted_defect_loses_the_transactions_of_disconnected_blocks_and_without_it_they_return()
    {
        foreach (var planted in new[] { false, true })
        {
            await using var kit = await EngineKit.StartAsync();
            kit.Engine.PlantedDefectDropsDisconnectedTransactions = planted;
            var funding = (await kit.MineAsync(1))[0];
            var fork = kit.Tip;
            var payment = EngineKit.Pay(kit.Miner, funding.Transactions[0], kit.Miner, new Amount(10_000));
            await kit.ProcessAllAsync([kit.Next(transactions: [payment], fees: new Amount(10_000))]);

            await kit.ProcessAllAsync(BlockFactory.Branch(fork, 2, kit.Miner.KeyHash, kit.Params, extraNonce: 1));

            kit.Engine.IsInMempool(payment.TxId).ShouldBe(!planted);
        }
    }
}
