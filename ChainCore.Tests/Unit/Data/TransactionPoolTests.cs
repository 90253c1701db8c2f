using System.Collections.Immutable;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;
using ChainCore.Node.Mempool;
using ChainCore.Tests.Fixtures;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Unit.Data;

[TestFixture, Category("Unit")]
public sealed partial class TransactionPoolTests
{
    private static MempoolEntry Entry(TransactionPool pool, Transaction tx, long fee) =>
        new(tx, new Amount(fee), ImmutableArray<SpentCoin>.Empty, DateTimeOffset.UnixEpoch, pool.NextSequence());

    private static Transaction Tx(Random random, OutPoint? spends = null)
    {
        var tx = TestData.RandomTransaction(random, inputs: 1, outputs: 1);
        return spends is { } outPoint ? tx.WithInputs([tx.Inputs[0] with { PreviousOutput = outPoint }]) : tx;
    }

    /// <summary>A transaction of exactly <paramref name="size"/> bytes (the signature pads it) spending <paramref name="spends"/>.</summary>
    private static Transaction SizedTx(Random random, int size, params OutPoint[] spends) =>
        TestData.Sized(random, spends.Length == 0 ? [new OutPoint(TestData.RandomHash(random), 0)] : spends, outputs: 2, size);

    private static OutPoint Out(Transaction tx, uint index = 0) => new(tx.TxId, index);

    private static List<Transaction> Chain(Random random, int length, int size = 200)
    {
        var chain = new List<Transaction> { SizedTx(random, size) };
        while (chain.Count < length)
        {
            chain.Add(SizedTx(random, size, Out(chain[^1])));
        }

        return chain;
    }

    private static void ShouldBeTopological(IReadOnlyList<MempoolEntry> selected)
    {
        var seen = new HashSet<Hash256>();
        var pooled = selected.Select(e => e.TxId).ToHashSet();
        foreach (var entry in selected)
        {
            foreach (var input in entry.Transaction.Inputs.Where(i => pooled.Contains(i.PreviousOutput.TxId)))
            {
                seen.ShouldContain(input.PreviousOutput.TxId, $"{entry.TxId} comes after its parent");
            }

            seen.Add(entry.TxId).ShouldBeTrue();
        }
    }

    [Test]
    public void Template_selection_takes_the_best_ancestor_package_first_and_parents_before_children()
    {
        var random = TestSeed.NewRandom(11);
        var pool = new TransactionPool(100, 1_000_000);
        var parent = Tx(random);
        var child = Tx(random, new OutPoint(parent.TxId, 0));
        var rich = Tx(random);
        pool.Add(Entry(pool, parent, 100));
        pool.Add(Entry(pool, child, 1_000_000));
        pool.Add(Entry(pool, rich, 50_000));

        var selected = PackageSelector.Select(pool.Graph(), 1_000_000).Select(e => e.TxId).ToList();

        selected.ShouldBe([parent.TxId, child.TxId, rich.TxId], "the child pays for its parent: their package pays more per byte than the rich one");
        PackageSelector.Select(pool.Graph(), rich.SerializedSize).Select(e => e.TxId).ShouldBe([rich.TxId], "nothing more fits, and the child never goes without its parent");
    }

    [Test]
    public void A_parent_paying_more_than_its_package_goes_alone_and_a_cheap_child_after_better_transactions()
    {
        var random = TestSeed.NewRandom(14);
        var pool = new TransactionPool(100, 1_000_000);
        var parent = SizedTx(random, 200);
        var cheapChild = SizedTx(random, 200, Out(parent));
        var middle = SizedTx(random, 200);
        pool.Add(Entry(pool, parent, 100_000));
        pool.Add(Entry(pool, cheapChild, 200));
        pool.Add(Entry(pool, middle, 10_000));

        PackageSelector.Select(pool.Graph(), 1_000_000).Select(e => e.TxId).ShouldBe([parent.TxId, middle.TxId, cheapChild.TxId]);
        PackageSelector.Select(pool.Graph(), 400).Select(e => e.TxId).ShouldBe([parent.TxId, middle.TxId]);
    }

    [Test]
    public void A_chain_of_25_is_selected_whole_in_order_when_its_last_transaction_pays_for_all()
    {
        var random = TestSeed.NewRandom(15);
        var pool = new TransactionPool(1_000, 10_000_000);
        var chain = Chain(random, 25, size: 300);
        var others = Enumerable.Range(0, 30).Select(_ => SizedTx(random, 300)).ToList();
        foreach (var tx in chain)
        {
            pool.TryAdd(Entry(pool, tx, tx == chain[^1] ? 2_000_000 : 300)).IsValid.ShouldBeTrue();
        }

        foreach (var tx in others)
        {
            pool.TryAdd(Entry(pool, tx, 30_000)).IsValid.ShouldBeTrue();
        }

        pool.GetPackageState(chain[^1].TxId)!.Value.AncestorCount.ShouldBe(25);
        pool.GetPackageState(chain[0].TxId)!.Value.DescendantCount.ShouldBe(25);

        var all = PackageSelector.Select(pool.Graph(), 10_000_000);
        all.Take(25).Select(e => e.TxId).ShouldBe(chain.Select(t => t.TxId), "the package (2,007,200 for 7,500 bytes) beats 100 per byte");
        all.Count.ShouldBe(55);
        ShouldBeTopological(all);

        var budget = 24 * 300;
        var partial = PackageSelector.Select(pool.Graph(), budget);
        partial.Select(e => e.TxId).ShouldNotContain(chain[^1].TxId, "the whole package does not fit");
        partial.Sum(e => e.Size).ShouldBeLessThanOrEqualTo(budget);
        partial.Count.ShouldBe(24);
        partial.Take(24).Select(e => e.TxId).ShouldBe(others.Take(24).Select(t => t.TxId), ignoreOrder: true);
    }

    [Test]
    public void Package_state_counts_ancestors_and_descendants_with_their_sizes_and_fees()
    {
        var random = TestSeed.NewRandom(16);
        var pool = new TransactionPool(100, 1_000_000);
        var a = SizedTx(random, 200);
        var b = SizedTx(random, 250, Out(a));
        var other = SizedTx(random, 300);
        var c = SizedTx(random, 400, Out(b), Out(other), Out(a, 1));
        pool.Add(Entry(pool, a, 10));
        pool.Add(Entry(pool, b, 20));
        pool.Add(Entry(pool, other, 40));
        pool.Add(Entry(pool, c, 80));

        pool.GetPackageState(a.TxId).ShouldBe(new MempoolPackageState(1, 200, new Amount(10), 3, 850, new Amount(110)));
        pool.GetPackageState(b.TxId).ShouldBe(new MempoolPackageState(2, 450, new Amount(30), 2, 650, new Amount(100)));
        pool.GetPackageState(other.TxId).ShouldBe(new MempoolPackageState(1, 300, new Amount(40), 2, 700, new Amount(120)));
        pool.GetPackageState(c.TxId).ShouldBe(new MempoolPackageState(4, 1_150, new Amount(150), 1, 400, new Amount(80)), "a counted once though c spends it twice over");

        pool.RemoveWithDescendants(b.TxId).ShouldBe([b.TxId, c.TxId], ignoreOrder: true);
        pool.GetPackageState(a.TxId).ShouldBe(new MempoolPackageState(1, 200, new Amount(10), 1, 200, new Amount(10)));
        pool.GetPackageState(other.TxId).ShouldBe(new MempoolPackageState(1, 300, new Amount(40), 1, 300, new Amount(40)));
        pool.GetPackageState(c.TxId).ShouldBeNull();
    }

    [Test]
    public void A_child_never_evicts_its_own_parent_from_a_full_pool()
    {
        var random = TestSeed.NewRandom(17);
        var pool = new TransactionPool(maxTransactions: 1, maxBytes: 1_000_000);
        var parent = SizedTx(random, 200);
        var child = SizedTx(random, 200, Out(parent));
        pool.Add(Entry(pool, parent, 200));

        // The old pool evicted the parent and kept the child, orphaned: every template then failed.
        var refused = pool.TryAdd(Entry(pool, child, 1_000_000));
        refused.Code.ShouldBe(RejectCodes.MempoolFull, "the only room is the child's own parent");
        refused.Category.ShouldBe(ValidationCategory.Policy);
        pool.Snapshot().Select(e => e.TxId).ShouldBe([parent.TxId]);
        PackageSelector.Select(pool.Graph(), 1_000_000).Select(e => e.TxId).ShouldBe([parent.TxId]);
    }

    [Test]
    public void A_child_in_a_full_pool_evicts_an_unrelated_cheaper_transaction_and_keeps_its_parent()
    {
        var random = TestSeed.NewRandom(18);
        var pool = new TransactionPool(maxTransactions: 2, maxBytes: 1_000_000);
        var parent = SizedTx(random, 200);
        var unrelated = SizedTx(random, 200);
        var child = SizedTx(random, 200, Out(parent));
        pool.Add(Entry(pool, parent, 200));
        pool.Add(Entry(pool, unrelated, 2_000));

        pool.TryAdd(Entry(pool, child, 1_000_000), out var evicted).IsValid.ShouldBeTrue();
        evicted.ShouldBe([unrelated.TxId], "the old pool evicted the cheapest transaction: the child's own parent");
        pool.Contains(parent.TxId).ShouldBeTrue();

        var template = PackageSelector.Select(pool.Graph(), 1_000_000);
        template.Select(e => e.TxId).ShouldBe([parent.TxId, child.TxId]);
        ShouldBeTopological(template);
    }

    [Test]
    public void Eviction_is_all_or_nothing()
    {
        var random = TestSeed.NewRandom(19);
        var pool = new TransactionPool(maxTransactions: 10, maxBytes: 1_000);
        var cheap = SizedTx(random, 400);
        var dear = SizedTx(random, 400);
        pool.Add(Entry(pool, cheap, 400));
        pool.Add(Entry(pool, dear, 40_000));

        // Room for 700 bytes needs both gone; the second pays more than the candidate.
        var result = pool.TryAdd(Entry(pool, SizedTx(random, 700), 7_000), out var evicted);
        result.Code.ShouldBe(RejectCodes.MempoolFull);
        evicted.ShouldBeEmpty();
        pool.Snapshot().Select(e => e.TxId).ShouldBe([cheap.TxId, dear.TxId], "the old pool evicted the cheap one before finding it could not make room");
        pool.Bytes.ShouldBe(800);
    }

    [Test]
    public void Eviction_takes_the_lowest_descendant_package_first_with_all_its_descendants()
    {
        var random = TestSeed.NewRandom(20);
        var pool = new TransactionPool(maxTransactions: 5, maxBytes: 1_000_000);
        // A cheap parent whose child pays for it: package score 50 per byte, not 1.
        var paidFor = SizedTx(random, 200);
        var payer = SizedTx(random, 200, Out(paidFor));
        // A package at 5 per byte: the parent alone is the best of it (Bitcoin's descendant score takes the better).
        var lone = SizedTx(random, 200);
        var loneChild = SizedTx(random, 200, Out(lone));
        var grandChild = SizedTx(random, 200, Out(loneChild));
        pool.Add(Entry(pool, paidFor, 200));
        pool.Add(Entry(pool, payer, 19_800));
        pool.Add(Entry(pool, lone, 1_000));
        pool.Add(Entry(pool, loneChild, 200));
        pool.Add(Entry(pool, grandChild, 600));

        var candidate = SizedTx(random, 200);
        pool.TryAdd(Entry(pool, candidate, 2_000), out var evicted).IsValid.ShouldBeTrue();

        evicted.ShouldBe([loneChild.TxId, grandChild.TxId], ignoreOrder: true, "loneChild's package (2 per byte) is the lowest; lone's own 5 per byte scores it, and paidFor's 1 per byte is paid for");
        pool.Snapshot().Select(e => e.TxId).ShouldBe([paidFor.TxId, payer.TxId, lone.TxId, candidate.TxId]);
        pool.GetPackageState(lone.TxId)!.Value.DescendantCount.ShouldBe(1);
    }

    [Test]
    public void Eviction_weighs_the_candidate_with_its_ancestors_not_its_own_fee_alone()
    {
        var random = TestSeed.NewRandom(21);
        var pool = new TransactionPool(maxTransactions: 3, maxBytes: 1_000_000);
        var parent = SizedTx(random, 200);
        var thirty = SizedTx(random, 200);
        var forty = SizedTx(random, 200);
        pool.Add(Entry(pool, parent, 200));
        pool.Add(Entry(pool, thirty, 6_000));
        pool.Add(Entry(pool, forty, 8_000));
        var child = SizedTx(random, 200, Out(parent));

        pool.TryAdd(Entry(pool, child, 10_000)).Code.ShouldBe(RejectCodes.MempoolFull, "50 per byte itself, but a miner takes it with its parent at 25.5: less than 30");
        pool.Count.ShouldBe(3);

        pool.TryAdd(Entry(pool, child, 20_000), out var evicted).IsValid.ShouldBeTrue("with its parent 50.5 per byte");
        evicted.ShouldBe([thirty.TxId]);
        pool.Snapshot().Select(e => e.TxId).ShouldBe([parent.TxId, forty.TxId, child.TxId]);
    }

    [Test]
    public void Eviction_needs_a_strictly_lower_fee_rate()
    {
        var random = TestSeed.NewRandom(29);
        var pool = new TransactionPool(maxTransactions: 1, maxBytes: 1_000_000);
        var pooled = SizedTx(random, 200);
        pool.Add(Entry(pool, pooled, 2_000));

        pool.TryAdd(Entry(pool, SizedTx(random, 200), 2_000)).Code.ShouldBe(RejectCodes.MempoolFull);
        pool.TryAdd(Entry(pool, SizedTx(random, 200), 2_001)).IsValid.ShouldBeTrue();
        pool.Contains(pooled.TxId).ShouldBeFalse();
    }

    [Test]
    public void A_candidate_larger_than_the_pool_is_refused_and_nothing_is_evicted()
    {
        var random = TestSeed.NewRandom(22);
        var pool = new TransactionPool(maxTransactions: 10, maxBytes: 500);
        var cheap = SizedTx(random, 300);
        pool.Add(Entry(pool, cheap, 1));

        pool.TryAdd(Entry(pool, SizedTx(random, 600), 1_000_000)).Code.ShouldBe(RejectCodes.MempoolFull);
        pool.Contains(cheap.TxId).ShouldBeTrue();
    }

    [Test]
    public void Twenty_five_ancestors_are_allowed_and_a_twenty_sixth_is_refused_as_policy()
    {
        var random = TestSeed.NewRandom(23);
        var pool = new TransactionPool(1_000, 10_000_000);
        var chain = Chain(random, 26);
        foreach (var tx in chain.Take(25))
        {
            pool.CheckPackageLimits(tx).IsValid.ShouldBeTrue();
            pool.TryAdd(Entry(pool, tx, 1_000)).IsValid.ShouldBeTrue();
        }

        var refused = pool.TryAdd(Entry(pool, chain[25], 1_000_000));
        refused.Code.ShouldBe(RejectCodes.TooLongMempoolChain);
        refused.Category.ShouldBe(ValidationCategory.Policy);
        pool.CheckPackageLimits(chain[25]).Code.ShouldBe(RejectCodes.TooLongMempoolChain);
        pool.Count.ShouldBe(25);

        // Once the first is confirmed the chain has room again.
        pool.RemoveForBlock(new Block(new BlockHeader(1, Hash256.Zero, Hash256.Zero, 0, 0x207fffff, 0), [chain[0]]));
        pool.TryAdd(Entry(pool, chain[25], 1_000)).IsValid.ShouldBeTrue();
        pool.GetPackageState(chain[25].TxId)!.Value.AncestorCount.ShouldBe(25);
    }

    [Test]
    public void Twenty_five_descendants_are_allowed_for_any_ancestor_and_no_more()
    {
        var random = TestSeed.NewRandom(24);
        var pool = new TransactionPool(1_000, 10_000_000);
        var root = new Transaction(
            [new TxIn(new OutPoint(TestData.RandomHash(random), 0), [], [.. TestData.RandomBytes(random, 33)])],
            [.. Enumerable.Range(0, 30).Select(_ => new TxOut(new Amount(1_000), [.. TestData.RandomBytes(random, 20)]))]);
        var middle = SizedTx(random, 200, Out(root, 0));
        pool.TryAdd(Entry(pool, root, 10_000)).IsValid.ShouldBeTrue();
        pool.TryAdd(Entry(pool, middle, 10_000)).IsValid.ShouldBeTrue();
        for (uint i = 1; i <= 23; i++)
        {
            pool.TryAdd(Entry(pool, SizedTx(random, 200, Out(root, i)), 10_000)).IsValid.ShouldBeTrue();
        }

        pool.GetPackageState(root.TxId)!.Value.DescendantCount.ShouldBe(25);
        var grandChild = SizedTx(random, 200, Out(middle));
        var refused = pool.TryAdd(Entry(pool, grandChild, 1_000_000));
        refused.Code.ShouldBe(RejectCodes.TooLongMempoolChain, "root would have 26 descendants, itself included");
        refused.Message.ShouldContain(root.TxId.ToString());
        pool.TryAdd(Entry(pool, SizedTx(random, 200, Out(root, 29)), 10_000)).Code.ShouldBe(RejectCodes.TooLongMempoolChain);
        pool.Count.ShouldBe(25);
    }

    [Test]
    public void Ancestor_and_descendant_bytes_are_bounded_too()
    {
        var random = TestSeed.NewRandom(25);
        var ancestors = new TransactionPool(1_000, 10_000_000, new MempoolLimits { MaxAncestorBytes = 1_000 });
        var parent = SizedTx(random, 600);
        ancestors.TryAdd(Entry(ancestors, parent, 10_000)).IsValid.ShouldBeTrue();
        ancestors.TryAdd(Entry(ancestors, SizedTx(random, 500, Out(parent, 0)), 10_000)).Code.ShouldBe(RejectCodes.TooLongMempoolChain, "1,100 ancestor bytes");
        ancestors.TryAdd(Entry(ancestors, SizedTx(random, 400, Out(parent, 0)), 10_000)).IsValid.ShouldBeTrue();

        var descendants = new TransactionPool(1_000, 10_000_000, new MempoolLimits { MaxDescendantBytes = 1_000 });
        descendants.TryAdd(Entry(descendants, parent, 10_000)).IsValid.ShouldBeTrue();
        descendants.TryAdd(Entry(descendants, SizedTx(random, 300, Out(parent, 0)), 10_000)).IsValid.ShouldBeTrue();
        var refused = descendants.TryAdd(Entry(descendants, SizedTx(random, 200, Out(parent, 1)), 10_000));
        refused.Code.ShouldBe(RejectCodes.TooLongMempoolChain, "1,100 descendant bytes for the parent");
        refused.Message.ShouldContain(parent.TxId.ToString());
    }

    [Test]
    public void A_duplicate_or_a_double_spend_reaching_the_pool_is_a_callers_bug_and_changes_nothing()
    {
        // The acceptor refuses both with a reason; the pool only keeps its own collections consistent.
        var random = TestSeed.NewRandom(27);
        var pool = new TransactionPool(100, 1_000_000);
        var tx = SizedTx(random, 200);
        pool.TryAdd(Entry(pool, tx, 1_000)).IsValid.ShouldBeTrue();
        var rival = SizedTx(random, 200, tx.Inputs[0].PreviousOutput);

        Should.Throw<InvalidOperationException>(() => pool.TryAdd(Entry(pool, tx, 1_000)));
        Should.Throw<InvalidOperationException>(() => pool.TryAdd(Entry(pool, rival, 100_000)));
        Should.Throw<InvalidOperationException>(() => pool.Add(Entry(pool, rival, 100_000)));

        pool.Snapshot().Select(e => e.TxId).ShouldBe([tx.TxId]);
        pool.GetSpender(tx.Inputs[0].PreviousOutput).ShouldBe(tx.TxId);
    }

    [Test]
    public void A_connected_block_removes_its_transactions_and_their_conflicts()
    {
        var random = TestSeed.NewRandom(13);
        var pool = new TransactionPool(100, 1_000_000);
        var confirmed = Tx(random);
        var shared = new OutPoint(TestData.RandomHash(random), 0);
        var conflicting = Tx(random, shared);
        var conflictChild = Tx(random, new OutPoint(conflicting.TxId, 0));
        var untouched = Tx(random);
        foreach (var tx in new[] { confirmed, conflicting, conflictChild, untouched })
        {
            pool.Add(Entry(pool, tx, 1_000));
        }

        pool.GetSpender(shared).ShouldBe(conflicting.TxId);
        pool.GetOutput(new OutPoint(conflicting.TxId, 0)).ShouldNotBeNull();
        var blockSpend = Tx(random, shared);
        var block = TestData.MineBlock(Hash256.Zero, 1, 1, [confirmed, blockSpend], Amount.FromCoins(50));

        var removed = pool.RemoveForBlock(block);

        removed.ShouldBe([confirmed.TxId, conflicting.TxId, conflictChild.TxId], ignoreOrder: true);
        pool.Snapshot().Select(e => e.TxId).ShouldBe([untouched.TxId]);
        pool.GetSpender(shared).ShouldBeNull();
        pool.Get(untouched.TxId)!.FeeRatePerKb.ShouldBe(1_000L * 1000 / untouched.SerializedSize);
    }

    [Test]
    public void Trimming_after_a_reorg_evicts_the_lowest_packages_until_the_pool_fits()
    {
        var random = TestSeed.NewRandom(30);
        var pool = new TransactionPool(maxTransactions: 3, maxBytes: 1_000_000);
        var cheapParent = SizedTx(random, 200);
        var cheapChild = SizedTx(random, 200, Out(cheapParent));
        var middle = SizedTx(random, 200);
        var dear = SizedTx(random, 200);
        var paidFor = SizedTx(random, 200);
        var payer = SizedTx(random, 200, Out(paidFor));
        foreach (var (tx, fee) in new[] { (cheapParent, 200L), (cheapChild, 400L), (middle, 4_000L), (dear, 8_000L), (paidFor, 200L), (payer, 19_800L) })
        {
            pool.Add(Entry(pool, tx, fee));
        }

        pool.Count.ShouldBe(6, "transactions of disconnected blocks bypass the bounds");
        pool.TrimToSize().ShouldBe([cheapParent.TxId, cheapChild.TxId, middle.TxId], ignoreOrder: true);
        pool.Snapshot().Select(e => e.TxId).ShouldBe([dear.TxId, paidFor.TxId, payer.TxId]);
        pool.TrimToSize().ShouldBeEmpty();
    }

    [Test]
    public void Confirming_and_then_disconnecting_a_parent_keeps_the_childrens_package_state_exact()
    {
        var random = TestSeed.NewRandom(28);
        var pool = new TransactionPool(100, 1_000_000);
        var grandParent = SizedTx(random, 200);
        var parent = SizedTx(random, 300, Out(grandParent));
        var child = SizedTx(random, 400, Out(parent), Out(grandParent, 1));
        var grandChild = SizedTx(random, 500, Out(child));
        var entries = new[] { (grandParent, 10L), (parent, 20L), (child, 40L), (grandChild, 80L) }.Select(p => Entry(pool, p.Item1, p.Item2)).ToList();
        foreach (var entry in entries)
        {
            pool.TryAdd(entry).IsValid.ShouldBeTrue();
        }

        var block = new Block(new BlockHeader(1, Hash256.Zero, Hash256.Zero, 0, 0x207fffff, 0), [grandParent, parent]);
        pool.RemoveForBlock(block).ShouldBe([grandParent.TxId, parent.TxId]);
        pool.GetPackageState(child.TxId).ShouldBe(new MempoolPackageState(1, 400, new Amount(40), 2, 900, new Amount(120)));
        pool.GetPackageState(grandChild.TxId).ShouldBe(new MempoolPackageState(2, 900, new Amount(120), 1, 500, new Amount(80)));

        // The block is disconnected: its transactions return under their pooled descendants.
        pool.TryAdd(entries[0]).IsValid.ShouldBeTrue();
        pool.GetPackageState(child.TxId).ShouldBe(new MempoolPackageState(2, 600, new Amount(50), 2, 900, new Amount(120)));
        pool.TryAdd(entries[1]).IsValid.ShouldBeTrue();
        pool.GetPackageState(grandParent.TxId).ShouldBe(new MempoolPackageState(1, 200, new Amount(10), 4, 1_400, new Amount(150)));
        pool.GetPackageState(parent.TxId).ShouldBe(new MempoolPackageState(2, 500, new Amount(30), 3, 1_200, new Amount(140)));
        pool.GetPackageState(child.TxId).ShouldBe(new MempoolPackageState(3, 900, new Amount(70), 2, 900, new Amount(120)));
        pool.GetPackageState(grandChild.TxId).ShouldBe(new MempoolPackageState(4, 1_400, new Amount(150), 1, 500, new Amount(80)));
        var template = PackageSelector.Select(pool.Graph(), 1_000_000);
        template.Select(e => e.TxId).ShouldBe([grandParent.TxId, parent.TxId, child.TxId, grandChild.TxId]);
    }
}
