using System.Security.Cryptography;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;
using ChainCore.Node.Mempool;
using ChainCore.Node.Storage;
using ChainCore.Tests.Fixtures;
using ChainCore.Tests.Harness;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace ChainCore.Tests.Unit.Node;

/// <summary>
/// <see cref="MempoolAcceptor"/> over a substitute store: what it asks the store (coins it does not
/// hold in the pool, whether a transaction is already confirmed) and what it decides from the answers,
/// with no database. The chain is at genesis, so a transaction would be mined at height 1.
/// </summary>
[TestFixture, Category("Unit")]
public sealed class MempoolAcceptorTests
{
    private const long MinRelayFeePerKb = 1_000;
    private static readonly Amount Fee = new(10_000);
    private static readonly Amount Coin50 = Amount.FromCoins(50);

    private IChainStore _store = null!;
    private TransactionPool _pool = null!;
    private MempoolAcceptor _acceptor = null!;
    private ChainState _chain = null!;
    private FakeTimeProvider _clock = null!;
    private TestWallet _alice = null!;
    private TestWallet _bob = null!;

    [SetUp]
    public async Task StartAtGenesisAsync()
    {
        _store = Substitute.For<IChainStore>();
        _store.LoadBlockIndexAsync(Arg.Any<CancellationToken>()).Returns(Array.Empty<StoredHeader>());
        _store.GetCoinsAsync(Arg.Any<IReadOnlyCollection<OutPoint>>(), Arg.Any<CancellationToken>()).Returns(new Dictionary<OutPoint, Coin>());
        _store.GetTransactionAsync(Arg.Any<Hash256>(), Arg.Any<CancellationToken>()).Returns((StoredTransaction?)null);
        _clock = new FakeTimeProvider();
        _chain = new ChainState(_store, ConsensusParams.Regtest with { CoinbaseMaturity = 2 }, _clock, 10, 1_000_000, new SignatureVerifier(), NullLogger.Instance);
        await _chain.InitializeAsync(CancellationToken.None);
        _pool = new TransactionPool(100, 1_000_000, clock: _clock);
        _acceptor = Acceptor(_pool);
        (_alice, _bob) = (Wallets.NewWallet(), Wallets.NewWallet());
    }

    [TearDown]
    public async Task DisposeStoreAsync() => await _store.DisposeAsync();

    private MempoolAcceptor Acceptor(TransactionPool pool, long minRelayFeePerKb = MinRelayFeePerKb) =>
        new(_chain, pool, _store, _clock, minRelayFeePerKb, new SignatureVerifier());

    private static OutPoint SomeOutPoint() => new(new Hash256(RandomNumberGenerator.GetBytes(32)), 0);

    /// <summary>The store holds <paramref name="coin"/>, paying <paramref name="owner"/>, at <paramref name="outPoint"/>.</summary>
    private void StoreHolds(OutPoint outPoint, TestWallet owner, Amount value, int height = 0, bool coinbase = false) =>
        _store.GetCoinsAsync(Arg.Is<IReadOnlyCollection<OutPoint>>(c => c.Contains(outPoint)), Arg.Any<CancellationToken>())
            .Returns(new Dictionary<OutPoint, Coin> { [outPoint] = new Coin(new TxOut(value, [.. owner.KeyHash]), height, coinbase) });

    private Task<TransactionResult> AcceptAsync(Transaction tx, bool fromDisconnectedBlock = false) => _acceptor.AcceptAsync(tx, fromDisconnectedBlock, [], CancellationToken.None);

    [Test]
    public async Task A_spend_of_a_stored_coin_enters_the_pool_with_inputs_minus_outputs_as_its_fee()
    {
        var coin = SomeOutPoint();
        StoreHolds(coin, _alice, Coin50);
        var tx = Wallets.Spend(_alice, coin, Coin50, _bob.Address, Fee);

        var result = await AcceptAsync(tx);

        result.Accepted.ShouldBeTrue(result.Validation.ToString());
        result.Fee.ShouldBe(Fee);
        _pool.Contains(tx.TxId).ShouldBeTrue();
        _pool.GetSpender(coin).ShouldBe(tx.TxId);
    }

    [Test]
    public async Task A_coin_the_store_does_not_have_is_missing_inputs_and_nothing_enters()
    {
        var tx = Wallets.Spend(_alice, SomeOutPoint(), Coin50, _bob.Address, Fee);

        var result = await AcceptAsync(tx);

        result.Validation.Code.ShouldBe(RejectCodes.MissingInputs);
        _pool.Count.ShouldBe(0);
    }

    [Test]
    public async Task A_transaction_the_store_has_confirmed_is_already_known_without_looking_up_its_coins()
    {
        var coin = SomeOutPoint();
        StoreHolds(coin, _alice, Coin50);
        var tx = Wallets.Spend(_alice, coin, Coin50, _bob.Address, Fee);
        _store.GetTransactionAsync(tx.TxId, Arg.Any<CancellationToken>()).Returns(new StoredTransaction(tx, new Hash256(RandomNumberGenerator.GetBytes(32)), 1, 1));

        var result = await AcceptAsync(tx);

        result.Validation.Code.ShouldBe(RejectCodes.AlreadyKnown);
        await _store.DidNotReceiveWithAnyArgs().GetCoinsAsync(default!, default);
        _pool.Count.ShouldBe(0);
    }

    [Test]
    public async Task A_child_spends_its_parent_from_the_pool_and_the_store_is_not_asked_for_that_output()
    {
        var coin = SomeOutPoint();
        StoreHolds(coin, _alice, Coin50);
        var parent = Wallets.Spend(_alice, coin, Coin50, _bob.Address, Fee);
        (await AcceptAsync(parent)).Accepted.ShouldBeTrue();
        var child = Wallets.Spend(_bob, new OutPoint(parent.TxId, 0), parent.Outputs[0].Value, _alice.Address, Fee);

        var result = await AcceptAsync(child);

        result.Accepted.ShouldBeTrue(result.Validation.ToString());
        _pool.Count.ShouldBe(2);
        await _store.DidNotReceive().GetCoinsAsync(Arg.Is<IReadOnlyCollection<OutPoint>>(c => c.Contains(new OutPoint(parent.TxId, 0))), Arg.Any<CancellationToken>());
    }

    [Test]
    public async Task A_second_spend_of_a_pooled_coin_is_a_double_spend_and_the_first_stays()
    {
        var coin = SomeOutPoint();
        StoreHolds(coin, _alice, Coin50);
        var first = Wallets.Spend(_alice, coin, Coin50, _bob.Address, Fee);
        var second = Wallets.Spend(_alice, coin, Coin50, _alice.Address, Fee + Fee);
        (await AcceptAsync(first)).Accepted.ShouldBeTrue();

        var result = await AcceptAsync(second);

        result.Validation.Code.ShouldBe(RejectCodes.DoubleSpend);
        result.Validation.Message.ShouldBe($"Output {coin} is already spent by {first.TxId} in the mempool.");
        _pool.GetSpender(coin).ShouldBe(first.TxId);
    }

    [Test]
    public async Task A_transaction_one_output_past_the_policy_size_is_refused_before_its_coins_are_looked_up()
    {
        // The size rule is the acceptor's alone: the pool takes what the acceptor passes.
        var coin = SomeOutPoint();
        StoreHolds(coin, _alice, Coin50);
        var limit = _pool.Limits.MaxTransactionBytes;
        var fee = Amount.FromCoins(0.01m);
        Transaction Paying(int outputs) => TestData.Spend(_alice.Key, [coin], [
            .. Enumerable.Range(0, outputs).Select(_ => new TxOut(new Amount(1_000), [.. _bob.KeyHash])),
            new TxOut(Coin50 - fee - new Amount(1_000L * outputs), [.. _alice.KeyHash])]);
        // An estimate, then exact: a signature's length varies by a byte or two with what it signs.
        var perOutput = (Paying(101).SerializedSize - Paying(1).SerializedSize) / 100;
        var count = (limit - Paying(0).SerializedSize) / perOutput;
        while (Paying(count).SerializedSize > limit)
        {
            count--;
        }

        while (Paying(count + 1).SerializedSize <= limit)
        {
            count++;
        }

        var (fits, over) = (Paying(count), Paying(count + 1));
        fits.SerializedSize.ShouldBeLessThanOrEqualTo(limit);
        over.SerializedSize.ShouldBeGreaterThan(limit);

        var refused = await AcceptAsync(over);

        refused.Validation.Code.ShouldBe(RejectCodes.TxSize);
        refused.Validation.Category.ShouldBe(ValidationCategory.Policy);
        refused.Validation.Message.ShouldBe($"The transaction is {over.SerializedSize} bytes; this node relays at most {limit}.");
        await _store.DidNotReceive().GetCoinsAsync(Arg.Any<IReadOnlyCollection<OutPoint>>(), Arg.Any<CancellationToken>());
        var accepted = await AcceptAsync(fits);
        accepted.Accepted.ShouldBeTrue(accepted.Validation.ToString());
        _pool.Contains(fits.TxId).ShouldBeTrue();
    }

    // Maturity 2: a coinbase of height 0 may be spent in a block at height 2; the next block is at 1.
    [Test]
    public async Task A_coinbase_the_store_reports_too_young_is_immature()
    {
        var coin = SomeOutPoint();
        StoreHolds(coin, _alice, Coin50, height: 0, coinbase: true);

        var result = await AcceptAsync(Wallets.Spend(_alice, coin, Coin50, _bob.Address, Fee));

        result.Validation.Code.ShouldBe(RejectCodes.ImmatureCoinbase);
        _pool.Count.ShouldBe(0);
    }

    [TestCase(false, RejectCodes.FeeTooLow)]
    [TestCase(true, null)]
    public async Task A_fee_below_the_relay_minimum_is_refused_unless_its_block_was_disconnected(bool fromDisconnectedBlock, string? code)
    {
        var coin = SomeOutPoint();
        StoreHolds(coin, _alice, Coin50);
        var tx = Wallets.Spend(_alice, coin, Coin50, _bob.Address, new Amount(1));

        var result = await AcceptAsync(tx, fromDisconnectedBlock);

        result.Validation.Code.ShouldBe(code);
        _pool.Contains(tx.TxId).ShouldBe(fromDisconnectedBlock);
    }

    [Test]
    public async Task A_coinbase_is_refused_from_the_mempool_before_anything_is_looked_up()
    {
        var coinbase = Coinbase.Create(1, _alice.KeyHash, Coin50);

        var result = await AcceptAsync(coinbase, fromDisconnectedBlock: true);

        result.Validation.Code.ShouldBe(RejectCodes.UnexpectedCoinbase);
        result.Validation.Category.ShouldBe(ValidationCategory.Invalid);
        result.Validation.Message.ShouldBe("A coinbase is only valid in a block.");
        await _store.DidNotReceiveWithAnyArgs().GetTransactionAsync(default, default);
        _pool.Count.ShouldBe(0);
    }

    [Test]
    public async Task A_transaction_failing_the_consensus_checks_is_refused_with_their_reason()
    {
        var coin = SomeOutPoint();
        StoreHolds(coin, _alice, Coin50);
        var spendsTwice = TestData.Spend(_alice.Key, [coin, coin], [new TxOut(Coin50 - Fee, [.. _bob.KeyHash])]);

        var result = await AcceptAsync(spendsTwice);

        result.Validation.Code.ShouldBe(RejectCodes.DuplicateInputs);
        _pool.Count.ShouldBe(0);
    }

    [TestCase(false, RejectCodes.OutputNotPositive)]
    [TestCase(true, null)]
    public async Task An_output_of_nothing_is_refused_by_policy_unless_its_block_was_disconnected(bool fromDisconnectedBlock, string? code)
    {
        var coin = SomeOutPoint();
        StoreHolds(coin, _alice, Coin50);
        var tx = TestData.Spend(_alice.Key, [coin], [new TxOut(Coin50 - Fee, [.. _bob.KeyHash]), new TxOut(Amount.Zero, [.. _bob.KeyHash])]);

        var result = await AcceptAsync(tx, fromDisconnectedBlock);

        result.Validation.Code.ShouldBe(code);
        _pool.Contains(tx.TxId).ShouldBe(fromDisconnectedBlock);
        if (code is not null)
        {
            result.Validation.Message.ShouldBe("Output value 0.00000000 is not positive; this node relays only positive outputs.");
        }
    }

    [Test]
    public async Task A_pooled_transaction_is_already_known_and_stays_as_it_was()
    {
        var coin = SomeOutPoint();
        StoreHolds(coin, _alice, Coin50);
        var tx = Wallets.Spend(_alice, coin, Coin50, _bob.Address, Fee);
        (await AcceptAsync(tx)).Accepted.ShouldBeTrue();
        var before = _pool.Get(tx.TxId);

        var again = await AcceptAsync(tx, fromDisconnectedBlock: true);

        again.Validation.Code.ShouldBe(RejectCodes.AlreadyKnown);
        again.Validation.Category.ShouldBe(ValidationCategory.Duplicate);
        again.Validation.Message.ShouldBe("The transaction is already known.");
        _pool.Get(tx.TxId).ShouldBeSameAs(before);
    }

    /// <summary>A spend of a fresh stored coin paying exactly <paramref name="fee"/>, and its size.</summary>
    private (Transaction Tx, int Size) Paying(Amount fee)
    {
        var coin = SomeOutPoint();
        StoreHolds(coin, _alice, Coin50);
        var tx = Wallets.Spend(_alice, coin, Coin50, _bob.Address, fee);
        return (tx, tx.SerializedSize);
    }

    /// <summary>A spend whose fee is exactly <paramref name="perKb"/> units per 1,000 bytes of its own size, rounded down, plus <paramref name="extra"/>.</summary>
    private Transaction PayingRate(long perKb, long extra)
    {
        // The fee's value does not change the size, but the signature's length may vary by a byte: settle it.
        var (tx, size) = Paying(new Amount(perKb * 250 / 1000));
        for (var i = 0; i < 10; i++)
        {
            var fee = new Amount(perKb * size / 1000 + extra);
            (tx, var settled) = Paying(fee);
            if (settled == size)
            {
                return tx;
            }

            size = settled;
        }

        throw new InvalidOperationException("The size did not settle.");
    }

    [TestCase(0, true)]
    [TestCase(-1, false)]
    public async Task The_relay_minimum_is_met_by_a_fee_of_exactly_its_rate_for_the_size_and_not_one_unit_less(long extra, bool accepted)
    {
        var tx = PayingRate(MinRelayFeePerKb, extra);

        var result = await AcceptAsync(tx);

        result.Accepted.ShouldBe(accepted, result.Validation.ToString());
        if (!accepted)
        {
            result.Validation.Code.ShouldBe(RejectCodes.FeeTooLow);
            result.Validation.Message.ShouldContain($"for {tx.SerializedSize} bytes");
        }
    }

    [Test]
    public async Task A_relay_minimum_whose_fee_for_the_size_overflows_asks_the_most_there_is_rather_than_wrapping_round()
    {
        var acceptor = Acceptor(_pool, long.MaxValue);
        var coin = SomeOutPoint();
        StoreHolds(coin, _alice, Coin50);
        // Over 1,000 bytes, so the rate times the size overflows a long.
        var tx = TestData.Spend(_alice.Key, [coin], [.. Enumerable.Range(0, 40).Select(_ => new TxOut(new Amount(1_000), [.. _bob.KeyHash]))]);
        tx.SerializedSize.ShouldBeGreaterThan(1_000);

        var result = await acceptor.AcceptAsync(tx, false, [], CancellationToken.None);

        result.Validation.Code.ShouldBe(RejectCodes.FeeTooLow);
        result.Validation.Message.ShouldContain($"minimum relay fee {new Amount(long.MaxValue)}");
    }

    /// <summary>
    /// A pool of two whose rolling minimum an eviction raised above the relay minimum (to the evicted
    /// package's rate plus the incremental 1,000), then with room again: returns the minimum.
    /// </summary>
    private async Task<(TransactionPool Pool, MempoolAcceptor Acceptor, long Minimum)> RaisedMinimumAsync()
    {
        var pool = new TransactionPool(2, 1_000_000, clock: _clock);
        var acceptor = Acceptor(pool);
        var cheap = PayingRate(5_000, 0);
        var dear = PayingRate(20_000, 0);
        (await acceptor.AcceptAsync(cheap, false, [], CancellationToken.None)).Accepted.ShouldBeTrue();
        (await acceptor.AcceptAsync(dear, false, [], CancellationToken.None)).Accepted.ShouldBeTrue();
        var evicted = new List<Hash256>();
        (await acceptor.AcceptAsync(PayingRate(20_000, 1), false, evicted, CancellationToken.None)).Accepted.ShouldBeTrue();
        evicted.ShouldBe([cheap.TxId], "the cheapest leaves for the newcomer, and the acceptor says so");
        pool.RemoveWithDescendants(dear.TxId);
        var minimum = pool.MinimumFeePerKb;
        var cheapFee = 5_000L * cheap.SerializedSize / 1000;
        minimum.ShouldBe((cheapFee * 1000 / cheap.SerializedSize) + 1_000);
        acceptor.MinimumFeePerKb.ShouldBe(minimum);
        return (pool, acceptor, minimum);
    }

    [Test]
    public async Task After_an_eviction_a_newcomer_below_the_raised_minimum_is_refused_and_one_at_it_enters()
    {
        var (pool, acceptor, minimum) = await RaisedMinimumAsync();
        var below = PayingRate(minimum, -1);
        var at = PayingRate(minimum, 0);

        var refused = await acceptor.AcceptAsync(below, false, [], CancellationToken.None);
        var accepted = await acceptor.AcceptAsync(at, false, [], CancellationToken.None);

        refused.Validation.Code.ShouldBe(RejectCodes.MempoolMinFeeNotMet);
        refused.Validation.Category.ShouldBe(ValidationCategory.Policy);
        refused.Validation.Message.ShouldContain($"at least {minimum} units per 1,000 bytes");
        accepted.Accepted.ShouldBeTrue(accepted.Validation.ToString());
        pool.Contains(at.TxId).ShouldBeTrue();
    }

    [Test]
    public async Task A_transaction_that_was_pooled_before_a_reorg_needs_only_the_relay_minimum_not_the_raised_one()
    {
        var (pool, acceptor, minimum) = await RaisedMinimumAsync();
        var tx = PayingRate(MinRelayFeePerKb, 0);
        minimum.ShouldBeGreaterThan(MinRelayFeePerKb);

        var result = await acceptor.AcceptAsync(tx, false, [], CancellationToken.None, wasPooled: true);

        result.Accepted.ShouldBeTrue(result.Validation.ToString());
        pool.Contains(tx.TxId).ShouldBeTrue();
        var tooCheap = await acceptor.AcceptAsync(PayingRate(MinRelayFeePerKb, -1), false, [], CancellationToken.None, wasPooled: true);
        tooCheap.Validation.Code.ShouldBe(RejectCodes.FeeTooLow, "the relay minimum still applies");
    }

    [Test]
    public async Task A_transaction_of_a_disconnected_block_enters_a_full_pool_past_its_bound_and_is_marked_so()
    {
        var pool = new TransactionPool(1, 1_000_000, clock: _clock);
        var acceptor = Acceptor(pool);
        var first = PayingRate(50_000, 0);
        (await acceptor.AcceptAsync(first, false, [], CancellationToken.None)).Accepted.ShouldBeTrue();
        _clock.Advance(TimeSpan.FromSeconds(7));
        var (returning, _) = Paying(new Amount(1));

        var evicted = new List<Hash256>();
        var result = await acceptor.AcceptAsync(returning, true, evicted, CancellationToken.None);

        result.Accepted.ShouldBeTrue(result.Validation.ToString());
        result.Fee.ShouldBe(new Amount(1));
        pool.Count.ShouldBe(2, "the bound is restored by trimming afterwards, not on the way in");
        evicted.ShouldBeEmpty();
        var entry = pool.Get(returning.TxId).ShouldNotBeNull();
        entry.FromDisconnectedBlock.ShouldBeTrue();
        pool.Get(first.TxId)!.FromDisconnectedBlock.ShouldBeFalse();
        entry.Received.ShouldBe(_clock.GetUtcNow());
        entry.Sequence.ShouldBeGreaterThan(pool.Get(first.TxId)!.Sequence);
        entry.SpentCoins.ShouldHaveSingleItem().Coin.Output.Value.ShouldBe(Coin50);
    }

    [Test]
    public async Task A_refusal_by_the_pools_own_policy_is_passed_on_and_nothing_enters()
    {
        var pool = new TransactionPool(100, 1_000_000, MempoolLimits.Default with { MaxAncestors = 1 }, _clock);
        var acceptor = Acceptor(pool);
        var coin = SomeOutPoint();
        StoreHolds(coin, _alice, Coin50);
        var parent = Wallets.Spend(_alice, coin, Coin50, _bob.Address, Fee);
        (await acceptor.AcceptAsync(parent, false, [], CancellationToken.None)).Accepted.ShouldBeTrue();
        var child = Wallets.Spend(_bob, new OutPoint(parent.TxId, 0), parent.Outputs[0].Value, _alice.Address, Fee);

        var result = await acceptor.AcceptAsync(child, false, [], CancellationToken.None);

        result.Validation.Code.ShouldBe(RejectCodes.TooLongMempoolChain);
        result.Fee.ShouldBe(Amount.Zero);
        pool.Count.ShouldBe(1);
    }

    [TestCase(0, true)]
    [TestCase(-1, false)]
    public async Task A_transaction_of_exactly_the_policy_size_enters_and_one_byte_over_it_does_not(int limitOffset, bool accepted)
    {
        var (tx, size) = Paying(Fee);
        var pool = new TransactionPool(100, 1_000_000, MempoolLimits.Default with { MaxTransactionBytes = size + limitOffset }, _clock);

        var result = await Acceptor(pool).AcceptAsync(tx, false, [], CancellationToken.None);

        result.Accepted.ShouldBe(accepted, result.Validation.ToString());
        pool.Contains(tx.TxId).ShouldBe(accepted);
    }
}
