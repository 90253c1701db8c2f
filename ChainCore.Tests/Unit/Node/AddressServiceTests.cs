using System.Security.Cryptography;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Addresses;
using ChainCore.Node.Chain;
using ChainCore.Node.Mempool;
using ChainCore.Node.Storage;
using ChainCore.Tests.Harness;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace ChainCore.Tests.Unit.Node;

/// <summary>
/// <see cref="AddressService"/> over a substitute store: balances, coins and history combine what
/// the store answers for an address with the mempool, and coinbase maturity is judged at the tip
/// (genesis here, height 0).
/// </summary>
[TestFixture, Category("Unit")]
public sealed class AddressServiceTests
{
    private const int Maturity = 1;
    private static readonly Amount Fee = new(10_000);

    private IChainStore _store = null!;
    private ChainEngine _chain = null!;
    private AddressService _addresses = null!;
    private TestWallet _alice = null!;
    private TestWallet _bob = null!;

    [SetUp]
    public async Task StartAtGenesisAsync()
    {
        _store = Substitute.For<IChainStore>();
        _store.LoadBlockIndexAsync(Arg.Any<CancellationToken>()).Returns(Array.Empty<StoredHeader>());
        _store.GetCoinsAsync(Arg.Any<IReadOnlyCollection<OutPoint>>(), Arg.Any<CancellationToken>()).Returns(new Dictionary<OutPoint, Coin>());
        _store.GetCoinsByAddressAsync(Arg.Any<ReadOnlyMemory<byte>>(), Arg.Any<CancellationToken>()).Returns(Array.Empty<SpentCoin>());
        _store.GetTransactionsByAddressAsync(Arg.Any<ReadOnlyMemory<byte>>(), Arg.Any<int>(), Arg.Any<CancellationToken>()).Returns(Array.Empty<AddressTransaction>());
        _store.GetTransactionAsync(Arg.Any<Hash256>(), Arg.Any<CancellationToken>()).Returns((StoredTransaction?)null);
        var clock = new FakeTimeProvider();
        var pool = new TransactionPool(100, 1_000_000, clock: clock);
        _chain = new ChainEngine(_store, ConsensusParams.Regtest with { CoinbaseMaturity = Maturity }, pool, clock, 1_000, 10, NullLogger<ChainEngine>.Instance);
        await _chain.InitializeAsync();
        _addresses = new AddressService(_chain, pool, _store);
        (_alice, _bob) = (Wallets.NewWallet(), Wallets.NewWallet());
    }

    [TearDown]
    public async Task DisposeAsync()
    {
        _chain.Dispose();
        await _store.DisposeAsync();
    }

    private static bool IsKey(ReadOnlyMemory<byte> keyHash, TestWallet owner) => keyHash.Span.SequenceEqual(owner.KeyHash);

    private static OutPoint SomeOutPoint() => new(new Hash256(RandomNumberGenerator.GetBytes(32)), 0);

    private static SpentCoin CoinOf(TestWallet owner, Amount value, int height = 0, bool coinbase = false) =>
        new(SomeOutPoint(), new Coin(new TxOut(value, [.. owner.KeyHash]), height, coinbase));

    /// <summary>The store's coins for <paramref name="owner"/> (by address) and by outpoint, as a real store would answer both.</summary>
    private void StoreHolds(TestWallet owner, params SpentCoin[] coins)
    {
        _store.GetCoinsByAddressAsync(Arg.Is<ReadOnlyMemory<byte>>(k => IsKey(k, owner)), Arg.Any<CancellationToken>()).Returns(coins);
        foreach (var coin in coins)
        {
            _store.GetCoinsAsync(Arg.Is<IReadOnlyCollection<OutPoint>>(c => c.Contains(coin.OutPoint)), Arg.Any<CancellationToken>())
                .Returns(new Dictionary<OutPoint, Coin> { [coin.OutPoint] = coin.Coin });
        }
    }

    // A coinbase of height h is spendable once the tip reaches h + maturity - 1 (maturity 1: h itself); the tip is 0.
    [TestCase(0, true)]
    [TestCase(1, false)]
    public async Task A_coinbase_counts_as_confirmed_once_mature_at_the_tip_and_as_immature_before(int coinbaseHeight, bool mature)
    {
        var coinbase = CoinOf(_alice, Amount.FromCoins(50), height: coinbaseHeight, coinbase: true);
        var payment = CoinOf(_alice, Amount.FromCoins(3));
        StoreHolds(_alice, coinbase, payment);

        var balance = await _addresses.GetBalanceAsync(_alice.Address);

        balance.TipHeight.ShouldBe(0);
        balance.Confirmed.ShouldBe(mature ? Amount.FromCoins(53) : Amount.FromCoins(3));
        balance.Immature.ShouldBe(mature ? Amount.Zero : Amount.FromCoins(50));
        balance.Total.ShouldBe(balance.Confirmed);
        var coins = (await _addresses.GetCoinsAsync(_alice.Address)).Coins;
        coins.Single(c => c.OutPoint == coinbase.OutPoint).ShouldSatisfyAllConditions(
            c => c.Spendable.ShouldBe(mature),
            c => c.MatureAtHeight.ShouldBe(coinbase.Coin.Height + Maturity - 1));
        coins.Single(c => c.OutPoint == payment.OutPoint).MatureAtHeight.ShouldBeNull();
    }

    [Test]
    public async Task A_mempool_payment_moves_money_from_the_payers_confirmed_coins_to_the_payees_pending()
    {
        var coin = CoinOf(_alice, Amount.FromCoins(10));
        StoreHolds(_alice, coin);
        var payment = Wallets.Spend(_alice, coin.OutPoint, coin.Coin.Output.Value, _bob.Address, Fee);
        (await _chain.AcceptTransactionAsync(payment)).Accepted.ShouldBeTrue();

        var alice = await _addresses.GetBalanceAsync(_alice.Address);
        var bob = await _addresses.GetBalanceAsync(_bob.Address);

        alice.Confirmed.ShouldBe(Amount.FromCoins(10));
        alice.PendingOutgoing.ShouldBe(Amount.FromCoins(10));
        alice.Total.ShouldBe(Amount.Zero);
        bob.PendingIncoming.ShouldBe(Amount.FromCoins(10) - Fee);
        bob.Total.ShouldBe(Amount.FromCoins(10) - Fee);
        (await _addresses.GetCoinsAsync(_alice.Address)).Coins.ShouldBeEmpty("the mempool spends alice's only coin");
        var bobsCoin = (await _addresses.GetCoinsAsync(_bob.Address)).Coins.ShouldHaveSingleItem();
        bobsCoin.OutPoint.ShouldBe(new OutPoint(payment.TxId, 0));
        bobsCoin.Confirmed.ShouldBeFalse();
        bobsCoin.Spendable.ShouldBeTrue();
    }

    [Test]
    public async Task History_lists_mempool_transactions_first_then_what_the_store_has_confirmed()
    {
        var coin = CoinOf(_alice, Amount.FromCoins(10));
        StoreHolds(_alice, coin);
        var payment = Wallets.Spend(_alice, coin.OutPoint, coin.Coin.Output.Value, _bob.Address, Fee);
        (await _chain.AcceptTransactionAsync(payment)).Accepted.ShouldBeTrue();
        var confirmed = new AddressTransaction(coin.OutPoint.TxId, new Hash256(RandomNumberGenerator.GetBytes(32)), 0, Amount.FromCoins(10), Amount.Zero);
        _store.GetTransactionsByAddressAsync(Arg.Is<ReadOnlyMemory<byte>>(k => IsKey(k, _alice)), AddressService.HistoryLimit, Arg.Any<CancellationToken>())
            .Returns([confirmed]);

        var history = await _addresses.GetHistoryAsync(_alice.Address);

        history.Select(h => h.TxId).ShouldBe([payment.TxId, confirmed.TxId]);
        history[0].ShouldSatisfyAllConditions(
            h => h.Confirmed.ShouldBeFalse(),
            h => h.Spent.ShouldBe(Amount.FromCoins(10)),
            h => h.Received.ShouldBe(Amount.Zero));
        history[1].BlockHash.ShouldBe(confirmed.BlockHash);
        (await _addresses.GetHistoryAsync(Wallets.NewWallet().Address)).ShouldBeEmpty("a stranger's history has neither");
    }
}
