using System.Collections.Immutable;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;
using ChainCore.Node.Mempool;
using ChainCore.Tests.Fixtures;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Unit.Chain;

/// <summary>
/// The block's choice of transactions against a model of Bitcoin Core's <c>addPackageTxs</c> written
/// the slow way: every round re-scores every remaining package from scratch and takes the best. The
/// selector's index, its queue of re-scored packages and its skipping must give exactly the same
/// block, in the same order, on random pools with shared ancestors, equal fee rates, equal arrival
/// order and budgets that cut packages off.
/// </summary>
[TestFixture, Category("Unit")]
public sealed class PackageSelectorModelTests
{
    // The selector's own constants, as Bitcoin's BlockAssembler: stop after this many packages in a
    // row did not fit, once the block is within this many bytes of full.
    private const int MaxConsecutiveFailures = 1_000;
    private const int NearlyFullBytes = 4_000;

    [Test]
    public void Random_pools_and_budgets_give_the_models_block_in_its_order()
    {
        var random = TestSeed.NewRandom(41);
        var packagesCutOff = 0;
        var revived = 0;
        for (var run = 0; run < 300; run++)
        {
            var pool = RandomPool(random, count: random.Next(1, 40));
            var total = pool.Snapshot().Sum(e => e.Size);
            foreach (var maxBytes in new[] { 0, random.Next(0, total + 1), random.Next(0, total + 1), total - 1, total, total + 1 })
            {
                var expected = Model(pool.Snapshot(), maxBytes, out var stats);
                var actual = PackageSelector.Select(pool.Graph(), maxBytes).Select(e => e.TxId).ToList();

                actual.ShouldBe(expected, $"run {run}, {pool.Count} transactions, budget {maxBytes} of {total} bytes");
                packagesCutOff += stats.Failures;
                revived += stats.Revived;
            }
        }

        // The pools must reach what the selector's queue is for, or the comparison shows nothing about it.
        packagesCutOff.ShouldBeGreaterThan(100);
        revived.ShouldBeGreaterThan(10, "packages that did not fit and shrank when an ancestor went in later");
    }

    [TestCase(1_000, true)]
    [TestCase(1_001, false)]
    public void A_nearly_full_block_stops_looking_after_a_thousand_packages_in_a_row_do_not_fit(int tooBig, bool smallGoesIn)
    {
        var random = TestSeed.NewRandom(43);
        var pool = new TransactionPool(5_000, 50_000_000);
        // Best first: one that leaves less than 4,000 bytes of the 5,000; then packages too big for the
        // rest; last, the worst, a small one that would fit.
        var first = Add(pool, random, size: 1_001, feePerByte: 1_000);
        first.SerializedSize.ShouldBe(1_001);
        for (var i = 0; i < tooBig; i++)
        {
            Add(pool, random, size: 4_000 + (i % 7), feePerByte: 500);
        }

        var small = Add(pool, random, size: 300, feePerByte: 1);

        var chosen = PackageSelector.Select(pool.Graph(), 5_000).Select(e => e.TxId).ToList();

        chosen.ShouldBe(smallGoesIn ? [first.TxId, small.TxId] : [first.TxId]);
        Model(pool.Snapshot(), 5_000, out _).ShouldBe(chosen);
    }

    [TestCase(1_000, true)]
    [TestCase(1_001, false)]
    public void A_block_with_room_left_goes_on_looking_however_many_packages_do_not_fit(int firstSize, bool goesOn)
    {
        var random = TestSeed.NewRandom(44);
        var pool = new TransactionPool(5_000, 50_000_000);
        // 1,000 bytes of 5,000 taken is not nearly full (4,000 or more left); 1,001 is.
        var first = Add(pool, random, size: firstSize, feePerByte: 1_000);
        first.SerializedSize.ShouldBe(firstSize);
        for (var i = 0; i < 1_001; i++)
        {
            Add(pool, random, size: 4_100, feePerByte: 500);
        }

        var small = Add(pool, random, size: 300, feePerByte: 1);

        var chosen = PackageSelector.Select(pool.Graph(), 5_000).Select(e => e.TxId).ToList();

        chosen.ShouldBe(goesOn ? [first.TxId, small.TxId] : [first.TxId]);
    }

    [Test]
    public void Selecting_from_no_graph_is_a_callers_mistake()
    {
        Should.Throw<ArgumentNullException>(() => PackageSelector.Select(null!, 1_000));
    }

    /// <summary>A pooled transaction of <paramref name="size"/> bytes with no pooled parent.</summary>
    private static Transaction Add(TransactionPool pool, Random random, int size, long feePerByte)
    {
        var tx = TestData.Sized(random, [new OutPoint(TestData.RandomHash(random), 0)], outputs: 1, size);
        pool.Add(new MempoolEntry(tx, new Amount(tx.SerializedSize * feePerByte), ImmutableArray<SpentCoin>.Empty, DateTimeOffset.UnixEpoch, pool.NextSequence()));
        return tx;
    }

    /// <summary>
    /// A pool of <paramref name="count"/> transactions, each spending up to three outputs of earlier
    /// pooled ones or outside coins; fee rates from a few multiples of their size (so rates and whole
    /// packages tie), and arrival numbers drawn from a small range (so arrival ties too).
    /// </summary>
    private static TransactionPool RandomPool(Random random, int count)
    {
        var pool = new TransactionPool(1_000, 10_000_000);
        var unspent = new List<OutPoint>();
        for (var i = 0; i < count; i++)
        {
            var inputs = TestData.DrawInputs(random, unspent, random.Next(1, 4));

            var tx = TestData.Sized(random, inputs, outputs: random.Next(1, 4), size: random.Next(3) == 0 ? 200 : random.Next(150, 1_200));
            unspent.AddRange(Enumerable.Range(0, tx.Outputs.Length).Select(o => new OutPoint(tx.TxId, (uint)o)));
            var fee = tx.SerializedSize * new[] { 0, 1, 2, 3, 5, 8 }[random.Next(6)] + (random.Next(4) == 0 ? random.Next(1, 50) : 0);
            pool.Add(new MempoolEntry(tx, new Amount(fee), ImmutableArray<SpentCoin>.Empty, DateTimeOffset.UnixEpoch, random.Next(0, count / 2 + 1)));
        }

        return pool;
    }

    private readonly record struct ModelStats(int Failures, int Revived);

    /// <summary>
    /// Bitcoin's package selection, recomputed from scratch each round: the best remaining package by
    /// ancestor score (the worse of a transaction's own rate and its package's), ties to the earlier
    /// place in the first order (best initial score, then oldest, then lowest txid); a package that
    /// does not fit is passed over until one of its ancestors goes in; the members go in by their
    /// number of ancestors, then oldest first.
    /// </summary>
    private static List<Hash256> Model(IReadOnlyList<MempoolEntry> entries, int maxBytes, out ModelStats stats)
    {
        var byId = entries.ToDictionary(e => e.TxId);
        var ancestors = new Dictionary<Hash256, HashSet<Hash256>>();
        HashSet<Hash256> AncestorsOf(Hash256 id)
        {
            if (!ancestors.TryGetValue(id, out var found))
            {
                found = [];
                foreach (var parent in byId[id].Transaction.Inputs.Select(i => i.PreviousOutput.TxId).Where(byId.ContainsKey))
                {
                    found.Add(parent);
                    found.UnionWith(AncestorsOf(parent));
                }

                ancestors[id] = found;
            }

            return found;
        }

        var chosen = new HashSet<Hash256>();
        FeeRate Score(Hash256 id, out List<Hash256> package, out long size)
        {
            package = [id, .. AncestorsOf(id).Where(a => !chosen.Contains(a))];
            size = package.Sum(p => (long)byId[p].Size);
            var own = byId[id];
            return FeeRate.Min(new FeeRate(own.Fee.Units, own.Size), new FeeRate(package.Sum(p => byId[p].Fee.Units), size));
        }

        int Oldest(MempoolEntry x, MempoolEntry y) => x.Sequence != y.Sequence ? x.Sequence.CompareTo(y.Sequence) : x.TxId.CompareTo(y.TxId);
        var first = entries.ToList();
        var initial = first.ToDictionary(e => e.TxId, e => Score(e.TxId, out _, out _));
        first.Sort((x, y) => initial[y.TxId].CompareTo(initial[x.TxId]) is var c && c != 0 ? c : Oldest(x, y));
        var rank = first.Select((e, i) => (e.TxId, i)).ToDictionary(p => p.TxId, p => p.i);

        var selected = new List<Hash256>();
        var passedOver = new HashSet<Hash256>();
        var (bytes, failures, revived, inARow) = (0L, 0, 0, 0);
        while (true)
        {
            var best = first.Select(e => e.TxId).Where(id => !chosen.Contains(id) && !passedOver.Contains(id))
                .Select(id => (Id: id, Score: Score(id, out var package, out var size), Package: package, Size: size))
                .OrderByDescending(c => c.Score).ThenBy(c => rank[c.Id]).FirstOrDefault();
            if (best.Package is null)
            {
                break;
            }

            if (bytes + best.Size > maxBytes)
            {
                passedOver.Add(best.Id);
                failures++;
                if (++inARow > MaxConsecutiveFailures && bytes > maxBytes - NearlyFullBytes)
                {
                    break;
                }

                continue;
            }

            inARow = 0;
            var members = best.Package.Select(id => byId[id]).ToList();
            members.Sort((x, y) => AncestorsOf(x.TxId).Count != AncestorsOf(y.TxId).Count ? AncestorsOf(x.TxId).Count.CompareTo(AncestorsOf(y.TxId).Count) : Oldest(x, y));
            foreach (var member in members)
            {
                selected.Add(member.TxId);
                chosen.Add(member.TxId);
            }

            bytes += best.Size;
            revived += passedOver.RemoveWhere(id => AncestorsOf(id).Overlaps(best.Package) && !chosen.Contains(id));
        }

        stats = new ModelStats(failures, revived);
        return selected;
    }
}
