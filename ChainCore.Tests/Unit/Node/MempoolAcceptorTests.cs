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
    private TestWallet _alice = null!;
    private TestWallet _bob = null!;

    [SetUp]
    public async Task StartAtGenesisAsync()
    {
        _store = Substitute.For<IChainStore>();
        _store.LoadBlockIndexAsync(Arg.Any<CancellationToken>()).Returns(Array.Empty<StoredHeader>());
        _store.GetCoinsAsync(Arg.Any<IReadOnlyCollection<OutPoint>>(), Arg.Any<CancellationToken>()).Returns(new Dictionary<OutPoint, Coin>());
        _store.GetTransactionAsync(Arg.Any<Hash256>(), Arg.Any<CancellationToken>()).Returns((StoredTransaction?)null);
        var clock = new FakeTimeProvider();
        var signatures = new SignatureVerifier();
        var chain = new ChainState(_store, ConsensusParams.Regtest with { CoinbaseMaturity = 2 }, clock, 10, 1_000_000, signatures, NullLogger.Instance);
        await chain.InitializeAsync(CancellationToken.None);
        _pool = new TransactionPool(100, 1_000_000, clock: clock);
        _acceptor = new MempoolAcceptor(chain, _pool, _store, clock, MinRelayFeePerKb, signatures);
        (_alice, _bob) = (Wallets.NewWallet(), Wallets.NewWallet());
    }

    [TearDown]
    public async Task DisposeStoreAsync() => await _store.DisposeAsync();

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
}
