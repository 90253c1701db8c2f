using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Mempool;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Unit.Data;

/// <summary>
/// The pool's package limits at exactly their bounds and one byte past them, on a lone transaction
/// and on one that joins pooled children to a pooled ancestor (a transaction of a disconnected block
/// coming back); the reasons the pool gives; and its refusals of a caller's mistakes.
/// </summary>
public sealed partial class TransactionPoolTests
{
    [TestCase(0, true)]
    [TestCase(-1, false)]
    public void A_parent_may_have_descendants_of_exactly_its_byte_bound(int offset, bool accepted)
    {
        var random = TestSeed.NewRandom(60);
        var parent = SizedTx(random, 600);
        var first = SizedTx(random, 250, Out(parent, 0));
        var second = SizedTx(random, 150, Out(parent, 1));
        var pool = new TransactionPool(100, 1_000_000, new MempoolLimits { MaxDescendantBytes = 1_000 + offset });
        pool.TryAdd(Entry(pool, parent, 10_000)).IsValid.ShouldBeTrue();
        pool.TryAdd(Entry(pool, first, 10_000)).IsValid.ShouldBeTrue();

        var result = pool.TryAdd(Entry(pool, second, 10_000));

        result.IsValid.ShouldBe(accepted, result.Message);
        if (!accepted)
        {
            result.Message.ShouldBe($"Its ancestor {parent.TxId} would have 3 descendants of 1000 bytes, itself included; at most 25 of 999.");
        }
    }

    [Test]
    public void A_twenty_sixth_ancestor_is_refused_with_the_count_and_bytes_it_would_make()
    {
        var random = TestSeed.NewRandom(61);
        var pool = new TransactionPool(1_000, 10_000_000);
        var chain = Chain(random, 26);
        foreach (var tx in chain.Take(25))
        {
            pool.TryAdd(Entry(pool, tx, 1_000)).IsValid.ShouldBeTrue();
        }

        pool.CheckPackageLimits(chain[25]).Message.ShouldBe("The transaction would have 26 unconfirmed ancestors of 5200 bytes, itself included; at most 25 of 101000.");
    }

    /// <summary>
    /// A pool holding <c>grandparent</c> (300 bytes) and <c>child</c> (250), which spends the absent
    /// <c>parent</c> (200) that spends the grandparent: as when the parent's block was disconnected.
    /// </summary>
    private static (TransactionPool Pool, Transaction Grandparent, Transaction Parent, Transaction Child) ReturningBetween(MempoolLimits limits)
    {
        var random = TestSeed.NewRandom(62);
        var grandparent = SizedTx(random, 300);
        var parent = SizedTx(random, 200, Out(grandparent));
        var child = SizedTx(random, 250, Out(parent));
        var pool = new TransactionPool(100, 1_000_000, limits);
        pool.Add(Entry(pool, grandparent, 10_000));
        pool.Add(Entry(pool, child, 10_000));
        return (pool, grandparent, parent, child);
    }

    [TestCase(0, true)]
    [TestCase(-1, false)]
    public void A_transaction_joining_pooled_children_to_a_pooled_ancestor_may_make_exactly_its_descendant_bytes(int offset, bool accepted)
    {
        var (pool, grandparent, parent, child) = ReturningBetween(new MempoolLimits { MaxDescendantBytes = 750 + offset });

        var result = pool.TryAdd(Entry(pool, parent, 10_000));

        result.IsValid.ShouldBe(accepted, result.Message);
        if (accepted)
        {
            pool.GetPackageState(grandparent.TxId)!.Value.DescendantSize.ShouldBe(750);
            pool.GetPackageState(child.TxId)!.Value.AncestorCount.ShouldBe(3);
        }
        else
        {
            result.Message.ShouldBe($"Its ancestor {grandparent.TxId} would have 3 descendants of 750 bytes, itself included; at most 25 of 749.");
        }
    }

    [TestCase(0, true)]
    [TestCase(-1, false)]
    public void A_transaction_joining_pooled_children_to_a_pooled_ancestor_may_give_them_exactly_their_ancestor_bytes(int offset, bool accepted)
    {
        var (pool, _, parent, child) = ReturningBetween(new MempoolLimits { MaxAncestorBytes = 750 + offset });

        var result = pool.TryAdd(Entry(pool, parent, 10_000));

        result.IsValid.ShouldBe(accepted, result.Message);
        if (!accepted)
        {
            result.Message.ShouldBe($"Its descendant {child.TxId} would have 3 unconfirmed ancestors of 750 bytes, itself included; at most 25 of 749.");
        }
    }

    [Test]
    public void A_full_pool_says_why_it_refuses()
    {
        var random = TestSeed.NewRandom(63);
        var pool = new TransactionPool(maxTransactions: 1, maxBytes: 1_000_000);
        pool.TryAdd(Entry(pool, SizedTx(random, 200), 10_000)).IsValid.ShouldBeTrue();

        pool.TryAdd(Entry(pool, SizedTx(random, 200), 10_000)).Message
            .ShouldBe("The mempool is full, and making room would evict transactions paying at least this one's fee rate, or its own ancestors.");
    }

    [Test]
    public void A_pool_at_exactly_its_byte_bound_trims_nothing()
    {
        var random = TestSeed.NewRandom(64);
        var pool = new TransactionPool(maxTransactions: 10, maxBytes: 500);
        pool.Add(Entry(pool, SizedTx(random, 300), 1));
        pool.Add(Entry(pool, SizedTx(random, 200), 1));

        pool.TrimToSize().ShouldBeEmpty();
        pool.Bytes.ShouldBe(500);
        pool.Add(Entry(pool, SizedTx(random, 150), 1));
        pool.TrimToSize().Count.ShouldBe(1);
    }

    [Test]
    public void A_callers_mistakes_are_refused_with_what_they_were()
    {
        var random = TestSeed.NewRandom(65);
        var pool = new TransactionPool(100, 1_000_000);
        var tx = SizedTx(random, 200);
        pool.Add(Entry(pool, tx, 1_000));
        var rival = SizedTx(random, 200, tx.Inputs[0].PreviousOutput);

        Should.Throw<InvalidOperationException>(() => pool.Add(Entry(pool, tx, 1_000))).Message.ShouldBe($"Transaction {tx.TxId} is already in the mempool.");
        Should.Throw<InvalidOperationException>(() => pool.Add(Entry(pool, rival, 1_000))).Message
            .ShouldBe($"Output {tx.Inputs[0].PreviousOutput} is already spent by {tx.TxId} in the mempool.");
        Should.Throw<ArgumentNullException>(() => pool.CheckPackageLimits(null!));
        Should.Throw<ArgumentNullException>(() => pool.TryAdd(null!));
        Should.Throw<ArgumentNullException>(() => pool.Add(null!));
        Should.Throw<ArgumentNullException>(() => pool.RemoveForBlock(null!));
        pool.Count.ShouldBe(1);
    }
}
