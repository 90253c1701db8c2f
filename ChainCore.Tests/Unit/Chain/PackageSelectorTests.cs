using System.Collections.Immutable;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;
using ChainCore.Node.Mempool;
using ChainCore.Tests.Fixtures;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Unit.Chain;

/// <summary>Choosing a block's transactions: byte budgets at exactly their limit, ties, and packages re-scored once their ancestors are in.</summary>
[TestFixture, Category("Unit")]
public sealed class PackageSelectorTests
{
    private Random _random = null!;
    private TransactionPool _pool = null!;

    [SetUp]
    public void EmptyPool()
    {
        _random = TestSeed.NewRandom(31);
        _pool = new TransactionPool(100, 1_000_000);
    }

    /// <summary>A pooled transaction of exactly <paramref name="size"/> bytes paying <paramref name="fee"/>, spending output 0 of <paramref name="parent"/> if given.</summary>
    private Transaction Add(int size, long fee, Transaction? parent = null)
    {
        var input = parent is null ? new OutPoint(TestData.RandomHash(_random), 0) : new OutPoint(parent.TxId, 0);
        Transaction Build(int signatureBytes) => new(
            [new TxIn(input, [.. TestData.RandomBytes(_random, signatureBytes)], [.. TestData.RandomBytes(_random, 33)])],
            [new TxOut(new Amount(1_000), [.. TestData.RandomBytes(_random, 20)])]);
        var bare = Build(0).SerializedSize;
        var tx = Build(size - bare);
        if (tx.SerializedSize != size)
        {
            tx = Build(size - bare - (tx.SerializedSize - size));
        }

        tx.SerializedSize.ShouldBe(size);
        _pool.Add(new MempoolEntry(tx, new Amount(fee), ImmutableArray<SpentCoin>.Empty, DateTimeOffset.UnixEpoch, _pool.NextSequence()));
        return tx;
    }

    private List<Hash256> Select(int maxBytes) => [.. PackageSelector.Select(_pool.Graph(), maxBytes).Select(e => e.TxId)];

    [Test]
    public void Transactions_filling_the_budget_exactly_all_go_in_and_one_byte_less_leaves_the_last_out()
    {
        var best = Add(900, 9000);
        var middle = Add(600, 3000);
        var last = Add(300, 600);

        Select(1800).ShouldBe([best.TxId, middle.TxId, last.TxId]);
        Select(1799).ShouldBe([best.TxId, middle.TxId]);
    }

    [Test]
    public void A_transaction_that_does_not_fit_is_skipped_for_a_smaller_one_that_does()
    {
        var best = Add(900, 9000);
        var middle = Add(600, 3000);
        var small = Add(300, 600);

        Select(1499).ShouldBe([best.TxId, small.TxId]);
        Select(899).ShouldBe([middle.TxId]);
        Select(599).ShouldBe([small.TxId]);
        Select(299).ShouldBeEmpty();
    }

    [Test]
    public void An_empty_pool_or_no_room_chooses_nothing()
    {
        Select(1_000_000).ShouldBeEmpty();
        Add(600, 3000);
        Select(0).ShouldBeEmpty();
    }

    [Test]
    public void Equal_fee_rates_go_oldest_first_whatever_their_ids()
    {
        var first = Add(600, 3000);
        var second = Add(600, 3000);
        var third = Add(1200, 6000);

        Select(1_000_000).ShouldBe([first.TxId, second.TxId, third.TxId]);
    }

    [Test]
    public void A_package_is_scored_again_without_the_ancestors_already_chosen()
    {
        // The grandparent goes first on its own; what is left of the grandchild's package (its
        // parent and itself) then pays less per byte than the unrelated transaction.
        var grandparent = Add(600, 30000);
        var parent = Add(600, 600, grandparent);
        var child = Add(600, 18000, parent);
        var unrelated = Add(600, 12000);

        Select(1_000_000).ShouldBe([grandparent.TxId, unrelated.TxId, parent.TxId, child.TxId]);
        Select(1800).ShouldBe([grandparent.TxId, unrelated.TxId, parent.TxId], "the grandchild's package no longer fits; its parent alone does");
    }

    [Test]
    public void A_package_that_no_longer_fits_after_its_ancestor_went_in_leaves_room_for_others()
    {
        var parent = Add(600, 30000);
        var child = Add(900, 18000, parent);
        var small = Add(300, 1500);

        Select(1_000_000).ShouldBe([parent.TxId, child.TxId, small.TxId]);
        Select(1200).ShouldBe([parent.TxId, small.TxId]);
        Select(1500).ShouldBe([parent.TxId, child.TxId]);
    }
}
