using System.Globalization;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Tests.Harness;
using Microsoft.Extensions.Time.Testing;

namespace ChainCore.Tests.Integration.Mining;

/// <summary>
/// A full mempool's eviction raises the fee rate a transaction needs to enter: what pays less than the
/// evicted package plus the incremental rate stays out, even once a block has freed room, until the
/// minimum has decayed, which it does only after a block.
/// </summary>
[TestFixture(StoreKind.Postgres), TestFixture(StoreKind.Sqlite)]
[Category("Integration"), Category("Database")]
public sealed class MempoolMinimumFeeTests(StoreKind store) : NodeTestBase
{
    private const long MinRelayFeePerKb = 1_000;
    private const long IncrementalRelayFeePerKb = 1_000;

    [Test]
    public async Task After_an_eviction_a_cheaper_transaction_waits_for_the_minimum_to_decay_after_a_block()
    {
        var (node, clock) = await StartNodeWithTwoPlacesAsync();
        var (alice, bob, miner) = (Wallets.NewWallet(), Wallets.NewWallet(), Wallets.NewWallet());
        await node.MineAsync(4, alice.Address.ToString());
        var coins = await Wallets.CoinsAsync(node, alice);
        Transaction Pay(int coin, long fee) => Wallets.Spend(alice, coins[coin], bob.Address, new Amount(fee));
        var (cheap, middle, dear, late) = (Pay(0, 2_000), Pay(1, 3_000), Pay(2, 20_000), Pay(3, 1_000));
        var raised = (2_000L * 1_000 / cheap.SerializedSize) + IncrementalRelayFeePerKb;
        var lateRate = 1_000L * 1_000 / late.SerializedSize;
        lateRate.ShouldBeInRange(MinRelayFeePerKb + 1, raised - 1, "the late transaction pays more than the relay fee, less than the raised minimum");

        (await node.Client.SubmitTransactionAsync(cheap)).Accepted.ShouldBeTrue();
        (await node.Client.SubmitTransactionAsync(middle)).Accepted.ShouldBeTrue();
        (await node.Client.GetMempoolAsync()).MinFeePerKb.ShouldBe(MinRelayFeePerKb);
        (await node.Client.SubmitTransactionAsync(dear)).Accepted.ShouldBeTrue("it evicts the cheapest");
        var mempool = await node.Client.GetMempoolAsync();
        mempool.Transactions.Select(t => t.TxId).ShouldBe([middle.TxId.ToString(), dear.TxId.ToString()], ignoreOrder: true);
        mempool.MinFeePerKb.ShouldBe(raised);
        mempool.MinRelayFeePerKb.ShouldBe(MinRelayFeePerKb);

        clock.Advance(TimeSpan.FromDays(2));
        (await node.MineAsync(1, miner.Address.ToString()))[0].Transactions.ShouldBe(3);
        (await node.Client.GetMempoolAsync()).Count.ShouldBe(0, "the block freed every place");
        var refused = await node.Client.SubmitTransactionAsync(late);
        refused.Accepted.ShouldBeFalse("the minimum does not decay before a block, and starts only with it");
        refused.Code.ShouldBe(RejectCodes.MempoolMinFeeNotMet);
        refused.Message.ShouldNotBeNull();
        refused.Message.ShouldContain(raised.ToString(CultureInfo.InvariantCulture));
        refused.Message.ShouldContain(MinRelayFeePerKb.ToString(CultureInfo.InvariantCulture));
        (await node.Client.GetMempoolAsync()).MinFeePerKb.ShouldBe(raised);

        // An empty pool halves it every 3 hours: eight half-lives take it under half the incremental rate, to zero.
        clock.Advance(TimeSpan.FromHours(24));
        (await node.Client.GetMempoolAsync()).MinFeePerKb.ShouldBe(MinRelayFeePerKb);
        (await node.Client.SubmitTransactionAsync(late)).Accepted.ShouldBeTrue();
        (await node.MineAsync(1, miner.Address.ToString()))[0].Transactions.ShouldBe(2);
    }
    [Test]
    public async Task A_transaction_pooled_before_the_minimum_rose_stays_through_a_reorg()
    {
        var (node, _) = await StartNodeWithTwoPlacesAsync();
        var (alice, bob, miner) = (Wallets.NewWallet(), Wallets.NewWallet(), Wallets.NewWallet());
        await node.MineAsync(3, alice.Address.ToString());
        await node.MineAsync(1, miner.Address.ToString());
        var coins = await Wallets.CoinsAsync(node, alice);
        Transaction Pay(int coin, long fee) => Wallets.Spend(alice, coins[coin], bob.Address, new Amount(fee));
        var (cheapest, kept, dear) = (Pay(0, 2_000), Pay(1, 2_100), Pay(2, 20_000));
        (await node.Client.SubmitTransactionAsync(cheapest)).Accepted.ShouldBeTrue();
        (await node.Client.SubmitTransactionAsync(kept)).Accepted.ShouldBeTrue();
        (await node.Client.SubmitTransactionAsync(dear)).Accepted.ShouldBeTrue("it evicts the cheapest");
        var minimum = (await node.Client.GetMempoolAsync()).MinFeePerKb;
        (2_100L * 1_000 / kept.SerializedSize).ShouldBeLessThan(minimum, "the transaction kept pays less than the minimum the eviction set");

        // A reorg: the tip (the miner's empty block) is replaced by a longer branch. Every pooled
        // transaction is checked again; one that met the fees when it came stays.
        var fork = node.Tip.Parent!;
        var first = BlockFactory.Next(fork, miner.KeyHash, node.Params, extraNonce: 1);
        var second = BlockFactory.Next(first, fork.Height + 1, miner.KeyHash, node.Params, extraNonce: 1);
        await node.Engine.ProcessBlockAsync(first);
        (await node.Engine.ProcessBlockAsync(second)).BecameTip.ShouldBeTrue();

        node.Mempool.Contains(kept.TxId).ShouldBeTrue();
        node.Mempool.Contains(dear.TxId).ShouldBeTrue();
        node.Mempool.Contains(cheapest.TxId).ShouldBeFalse();
    }

    /// <summary>A node whose mempool holds two transactions, on a clock the test moves.</summary>
    private async Task<(TestNode Node, FakeTimeProvider Clock)> StartNodeWithTwoPlacesAsync()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        var node = await StartNodeAsync(
            store,
            minRelayFeePerKb: MinRelayFeePerKb,
            clock: clock,
            settings: new Dictionary<string, string?> { ["Node:MaxMempoolTransactions"] = "2" });
        return (node, clock);
    }
}
