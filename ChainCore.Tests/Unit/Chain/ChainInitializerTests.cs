using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;
using ChainCore.Node.Mempool;
using ChainCore.Node.Storage;
using ChainCore.Tests.Harness;
using Microsoft.Extensions.Logging;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace ChainCore.Tests.Unit.Chain;

/// <summary>
/// The node's start and stop around the mempool saved at the last clean stop (Bitcoin Core's
/// mempool.dat): what is offered back to a restarted engine, in which order, and what a stop saves.
/// The saved mempool is a substitute; the engine runs on the kit's in-memory store.
/// </summary>
[TestFixture, Category("Unit")]
public sealed class ChainInitializerTests
{
    private static readonly Amount Fee = new(10_000);

    private EngineKit _kit = null!;
    private IMempoolStore _saved = null!;
    private TransactionPool _pool = null!;
    private ChainEngine _engine = null!;
    private ILoggerFactory _logging = null!;
    private ChainInitializer _initializer = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _kit = await EngineKit.StartAsync();
        _saved = Substitute.For<IMempoolStore>();
        _saved.TakeAsync(Arg.Any<CancellationToken>()).Returns(Array.Empty<Transaction>());
        _logging = LoggerFactory.Create(b => b.AddProvider(_kit.Log.ProviderFor("node")));
        _pool = new TransactionPool(100, 1_000_000, clock: _kit.Clock);
        _engine = new ChainEngine(_kit.Store, _kit.Params, _pool, _kit.Clock, 1_000, 10, _logging.CreateLogger<ChainEngine>());
        _initializer = new ChainInitializer(_engine, _pool, _saved, _logging.CreateLogger<ChainInitializer>());
    }

    [TearDown]
    public async Task StopAsync()
    {
        _engine.Dispose();
        _logging.Dispose();
        await _kit.DisposeAsync();
    }

    private IReadOnlyList<string> Restored => [.. _kit.Log.Lines.Where(l => l.Contains("Mempool restored", StringComparison.Ordinal))];

    [Test]
    public async Task A_start_loads_the_stored_chain_and_with_nothing_saved_offers_nothing()
    {
        await _kit.MineAsync(2);

        await _initializer.StartAsync(CancellationToken.None);

        _engine.IsInitialized.ShouldBeTrue();
        _engine.Tip.Hash.ShouldBe(_kit.Tip.Hash);
        _pool.Count.ShouldBe(0);
        Restored.ShouldBeEmpty("nothing was saved, so nothing is reported restored");
    }

    [Test]
    public async Task The_saved_transactions_return_and_a_child_saved_before_its_parent_is_tried_again_after_it()
    {
        var funding = (await _kit.MineAsync(2)).Select(b => b.Transactions[0]).ToList();
        var parent = EngineKit.Pay(_kit.Miner, funding[0], _kit.Miner, Fee);
        var child = EngineKit.Pay(_kit.Miner, parent, _kit.Miner, Fee);
        var other = EngineKit.Pay(_kit.Miner, funding[1], _kit.Miner, Fee);
        _saved.TakeAsync(Arg.Any<CancellationToken>()).Returns([child, parent, other]);

        await _initializer.StartAsync(CancellationToken.None);

        _pool.Snapshot().Select(e => e.TxId).ShouldBe([parent.TxId, other.TxId, child.TxId]);
        Restored.ShouldHaveSingleItem().ShouldEndWith("Mempool restored: 3 of the 3 transactions saved at the last stop");
    }

    [Test]
    public async Task Only_a_transaction_refused_for_missing_inputs_is_tried_twice_and_the_refused_are_not_counted()
    {
        var funding = (await _kit.MineAsync(1))[0].Transactions[0];
        var spent = EngineKit.Pay(_kit.Miner, funding, _kit.Miner, Fee);
        var doubleSpend = EngineKit.Pay(_kit.Miner, funding, Wallets.NewWallet(), Fee);
        var orphan = EngineKit.Pay(_kit.Miner, EngineKit.Pay(_kit.Miner, doubleSpend, _kit.Miner, Fee), _kit.Miner, Fee);
        _saved.TakeAsync(Arg.Any<CancellationToken>()).Returns([spent, doubleSpend, orphan]);

        await _initializer.StartAsync(CancellationToken.None);

        _pool.Snapshot().Select(e => e.TxId).ShouldBe([spent.TxId]);
        Restored.ShouldHaveSingleItem().ShouldEndWith("Mempool restored: 1 of the 3 transactions saved at the last stop");
        _kit.Log.Lines.Count(l => l.Contains($"Refused transaction {orphan.TxId}", StringComparison.Ordinal)).ShouldBe(2, "missing its inputs, it is tried again once");
        _kit.Log.Lines.Count(l => l.Contains($"Refused transaction {doubleSpend.TxId}", StringComparison.Ordinal)).ShouldBe(1, "a double spend is not tried again");
    }

    [Test]
    public async Task A_stop_saves_the_pooled_transactions_in_the_order_they_came()
    {
        var funding = (await _kit.MineAsync(3)).Select(b => b.Transactions[0]).ToList();
        await _initializer.StartAsync(CancellationToken.None);
        var payments = new List<Transaction>();
        foreach (var i in new[] { 2, 0, 1 })
        {
            var tx = EngineKit.Pay(_kit.Miner, funding[i], _kit.Miner, Fee);
            (await _engine.AcceptTransactionAsync(tx)).Accepted.ShouldBeTrue();
            payments.Add(tx);
        }

        await _initializer.StopAsync(CancellationToken.None);

        await _saved.Received(1).SaveAsync(
            Arg.Is<IReadOnlyList<Transaction>>(saved => saved.Select(t => t.TxId).SequenceEqual(payments.Select(t => t.TxId))),
            Arg.Any<CancellationToken>());
        _kit.Log.Lines.ShouldContain(l => l.EndsWith("Mempool saved: 3 transactions", StringComparison.Ordinal));
    }

    [Test]
    public async Task A_node_stopped_before_its_chain_loaded_saves_nothing_over_what_it_had_saved()
    {
        await _initializer.StopAsync(CancellationToken.None);

        await _saved.DidNotReceiveWithAnyArgs().SaveAsync(default!, default);
    }

    [Test]
    public async Task A_save_that_fails_is_a_warning_and_the_stop_goes_on_but_a_cancelled_one_is_not_hidden()
    {
        await _initializer.StartAsync(CancellationToken.None);
        _saved.SaveAsync(Arg.Any<IReadOnlyList<Transaction>>(), Arg.Any<CancellationToken>()).ThrowsAsync(new InvalidOperationException("disk full"));

        await _initializer.StopAsync(CancellationToken.None);

        _kit.Logged("WRN").ShouldHaveSingleItem().ShouldEndWith("Could not save the mempool (0 transactions): disk full");
        _saved.SaveAsync(Arg.Any<IReadOnlyList<Transaction>>(), Arg.Any<CancellationToken>()).ThrowsAsync(new OperationCanceledException());
        await Should.ThrowAsync<OperationCanceledException>(() => _initializer.StopAsync(CancellationToken.None));
    }
}
