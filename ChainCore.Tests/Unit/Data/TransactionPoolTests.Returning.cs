using System.Collections.Immutable;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Mempool;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Unit.Data;

/// <summary>
/// A transaction returning from a disconnected block under children still pooled: its package limits
/// count them, its ancestors' and its descendants' packages joined through it, at exactly the limit and one past.
/// </summary>
public sealed partial class TransactionPoolTests
{
    [TestCase(3, 1_000, true)]
    [TestCase(2, 1_000, false)]
    [TestCase(3, 600, true)]
    [TestCase(3, 599, false)]
    public void A_returning_transaction_counts_its_pooled_children_against_the_descendant_limits(int maxDescendants, long maxDescendantBytes, bool allowed)
    {
        var random = TestSeed.NewRandom(41);
        var pool = new TransactionPool(100, 1_000_000, new MempoolLimits { MaxDescendants = maxDescendants, MaxDescendantBytes = maxDescendantBytes });
        var returning = SizedTx(random, 200);
        pool.Add(Entry(pool, SizedTx(random, 200, Out(returning, 0)), 100));
        pool.Add(Entry(pool, SizedTx(random, 200, Out(returning, 1)), 100));

        var result = pool.CheckPackageLimits(returning);

        result.IsValid.ShouldBe(allowed);
        if (!allowed)
        {
            result.Code.ShouldBe(RejectCodes.TooLongMempoolChain);
            result.Message.ShouldStartWith("The transaction would have 3 descendants of 600 bytes");
        }
    }

    [TestCase(1, true)]
    [TestCase(2, false)]
    public void A_returning_transaction_joins_its_pooled_parent_to_its_pooled_children_under_the_parents_descendant_limit(int children, bool allowed)
    {
        var random = TestSeed.NewRandom(42);
        var pool = new TransactionPool(100, 1_000_000, new MempoolLimits { MaxDescendants = 3 });
        var parent = SizedTx(random, 200);
        pool.Add(Entry(pool, parent, 100));
        var returning = SizedTx(random, 200, Out(parent));
        for (var i = 0u; i < children; i++)
        {
            pool.Add(Entry(pool, SizedTx(random, 200, Out(returning, i)), 100));
        }

        var result = pool.CheckPackageLimits(returning);

        result.IsValid.ShouldBe(allowed);
        if (!allowed)
        {
            result.Message.ShouldStartWith($"Its ancestor {parent.TxId} would have 4 descendants of 800 bytes");
        }
    }

    [TestCase(4, true)]
    [TestCase(3, false)]
    public void A_returning_transaction_joins_its_pooled_ancestors_to_each_pooled_childs_ancestor_limit(int maxAncestors, bool allowed)
    {
        var random = TestSeed.NewRandom(43);
        var pool = new TransactionPool(100, 1_000_000, new MempoolLimits { MaxAncestors = maxAncestors });
        var grandParent = SizedTx(random, 200);
        var parent = SizedTx(random, 200, Out(grandParent));
        pool.Add(Entry(pool, grandParent, 100));
        pool.Add(Entry(pool, parent, 100));
        var returning = SizedTx(random, 200, Out(parent));
        var child = SizedTx(random, 200, Out(returning));
        pool.Add(Entry(pool, child, 100));

        var result = pool.CheckPackageLimits(returning);

        result.IsValid.ShouldBe(allowed);
        if (!allowed)
        {
            result.Message.ShouldStartWith($"Its descendant {child.TxId} would have 4 unconfirmed ancestors of 800 bytes");
        }
    }

    [Test]
    public void Outputs_of_pooled_transactions_are_found_by_index_and_nothing_past_the_last()
    {
        var random = TestSeed.NewRandom(44);
        var pool = new TransactionPool(100, 1_000_000);
        var tx = SizedTx(random, 200);
        pool.Add(Entry(pool, tx, 100));

        pool.GetOutput(Out(tx, 1)).ShouldBe(tx.Outputs[1]);
        pool.GetOutput(Out(tx, 2)).ShouldBeNull();
        pool.GetOutput(new OutPoint(Hash256.Zero, 0)).ShouldBeNull();
        pool.GetPackageState(Hash256.Zero).ShouldBeNull();
        pool.Get(tx.TxId)!.Fee.ShouldBe(new Amount(100));
        pool.Get(Hash256.Zero).ShouldBeNull();
        pool.Bytes.ShouldBe(200);
    }

    [Test]
    public void A_snapshot_lists_the_pool_in_the_order_transactions_arrived()
    {
        var random = TestSeed.NewRandom(45);
        var pool = new TransactionPool(100, 1_000_000);
        var (late, early, middle) = (SizedTx(random, 200), SizedTx(random, 200), SizedTx(random, 200));
        foreach (var (tx, sequence) in new[] { (late, 9L), (early, 3L), (middle, 5L) })
        {
            pool.Add(new MempoolEntry(tx, new Amount(100), ImmutableArray<SpentCoin>.Empty, DateTimeOffset.UnixEpoch, sequence));
        }

        pool.Snapshot().Select(e => e.TxId).ShouldBe([early.TxId, middle.TxId, late.TxId]);
    }
}
