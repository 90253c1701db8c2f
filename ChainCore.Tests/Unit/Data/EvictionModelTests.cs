using System.Collections.Immutable;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Mempool;
using ChainCore.Tests.Fixtures;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Unit.Data;

/// <summary>
/// Making room in a full pool, against a model written the slow way: every round recomputes each
/// remaining transaction's descendant package without what is already planned to go, and takes the
/// lowest descendant score (the better of its own fee rate and its package's; on a tie the newest,
/// then the lowest txid), with all its descendants, never an ancestor of the newcomer, until the
/// newcomer fits — or refuses it once the next package pays at least the newcomer's ancestor score.
/// The pool's index, its queue of re-scored packages and its planning must agree on random pools.
/// </summary>
[TestFixture, Category("Unit")]
public sealed class EvictionModelTests
{
    private static readonly MempoolLimits Loose = new()
    {
        MaxAncestors = 1_000, MaxDescendants = 1_000, MaxAncestorBytes = 10_000_000, MaxDescendantBytes = 10_000_000,
    };

    [Test]
    public void Random_full_pools_evict_what_the_model_evicts_or_refuse_when_it_refuses()
    {
        var random = TestSeed.NewRandom(71);
        var (evictions, refusals, rescored) = (0, 0, 0);
        for (var run = 0; run < 400; run++)
        {
            var entries = RandomEntries(random, random.Next(2, 30));
            var bytes = entries.Sum(e => e.Size);
            var byCount = random.Next(2) == 0;
            var (maxTransactions, maxBytes) = byCount ? (entries.Count, 10_000_000) : (10_000, bytes + random.Next(0, 300));
            var pool = new TransactionPool(maxTransactions, maxBytes, Loose);
            foreach (var entry in entries)
            {
                pool.Add(entry);
            }

            var candidate = Candidate(random, entries, pool);
            var expected = Model(pool.Snapshot(), candidate, maxTransactions, maxBytes, out var modelRescored);

            var result = pool.TryAdd(candidate, out var evicted);

            var context = $"run {run}: {entries.Count} pooled, candidate {candidate.Size} bytes paying {candidate.Fee.Units}";
            if (expected is null)
            {
                result.Code.ShouldBe(RejectCodes.MempoolFull, context);
                evicted.ShouldBeEmpty();
                pool.Count.ShouldBe(entries.Count, context);
                refusals++;
            }
            else
            {
                result.IsValid.ShouldBeTrue($"{context}: {result.Message}");
                evicted.ShouldBe(expected, ignoreOrder: true, context);
                evictions += expected.Count > 0 ? 1 : 0;
                rescored += modelRescored ? 1 : 0;
            }
        }

        evictions.ShouldBeGreaterThan(50);
        refusals.ShouldBeGreaterThan(20);
        TestContext.Out.WriteLine($"{evictions} evictions, {refusals} refusals, {rescored} with a package that shrank");
        rescored.ShouldBeGreaterThan(10, "runs where a package shrank because a descendant was planned to go first");
    }

    /// <summary>Entries spending outputs of earlier ones or outside coins, fee rates from a few multiples of their size.</summary>
    private static List<MempoolEntry> RandomEntries(Random random, int count)
    {
        var entries = new List<MempoolEntry>();
        var unspent = new List<OutPoint>();
        for (var i = 0; i < count; i++)
        {
            var inputs = TestData.DrawInputs(random, unspent, random.Next(1, 3));

            var tx = Build(random, inputs, outputs: random.Next(1, 3), padding: random.Next(0, 400));
            unspent.AddRange(Enumerable.Range(0, tx.Outputs.Length).Select(o => new OutPoint(tx.TxId, (uint)o)));
            entries.Add(new MempoolEntry(tx, new Amount(tx.SerializedSize * new[] { 1L, 2, 3, 5, 8, 13 }[random.Next(6)]), ImmutableArray<SpentCoin>.Empty, DateTimeOffset.UnixEpoch, random.Next(0, count)));
        }

        return entries;
    }

    /// <summary>A newcomer spending a pooled output (so it has ancestors) or an outside coin.</summary>
    private static MempoolEntry Candidate(Random random, List<MempoolEntry> entries, TransactionPool pool)
    {
        var spendable = entries.SelectMany(e => Enumerable.Range(0, e.Transaction.Outputs.Length).Select(o => new OutPoint(e.TxId, (uint)o)))
            .Where(o => pool.GetSpender(o) is null).ToList();
        var input = spendable.Count > 0 && random.Next(2) == 0 ? spendable[random.Next(spendable.Count)] : new OutPoint(TestData.RandomHash(random), 0);
        var tx = Build(random, [input], outputs: 1, padding: random.Next(0, 1_500));
        return new MempoolEntry(tx, new Amount(tx.SerializedSize * random.Next(1, 15)), ImmutableArray<SpentCoin>.Empty, DateTimeOffset.UnixEpoch, entries.Count + 1);
    }

    private static Transaction Build(Random random, IReadOnlyList<OutPoint> inputs, int outputs, int padding) => new(
        [.. inputs.Select((o, i) => new TxIn(o, [.. TestData.RandomBytes(random, i == 0 ? padding : 10)], [.. TestData.RandomBytes(random, 33)]))],
        [.. Enumerable.Range(0, outputs).Select(_ => new TxOut(new Amount(1_000), [.. TestData.RandomBytes(random, 20)]))]);

    /// <summary>What must go for <paramref name="candidate"/> to fit, or null if it cannot.</summary>
    private static List<Hash256>? Model(IReadOnlyList<MempoolEntry> pooled, MempoolEntry candidate, int maxTransactions, int maxBytes, out bool rescored)
    {
        rescored = false;
        var byId = pooled.ToDictionary(e => e.TxId);
        IEnumerable<Hash256> ParentsOf(Transaction tx) => tx.Inputs.Select(i => i.PreviousOutput.TxId).Where(byId.ContainsKey).Distinct();
        HashSet<Hash256> Closure(IEnumerable<Hash256> start, Func<Hash256, IEnumerable<Hash256>> next)
        {
            var found = new HashSet<Hash256>();
            var stack = new Stack<Hash256>(start);
            while (stack.TryPop(out var id))
            {
                if (found.Add(id))
                {
                    foreach (var n in next(id))
                    {
                        stack.Push(n);
                    }
                }
            }

            return found;
        }

        var children = pooled.ToDictionary(e => e.TxId, e => pooled.Where(c => ParentsOf(c.Transaction).Contains(e.TxId)).Select(c => c.TxId).ToList());
        var ancestors = Closure(ParentsOf(candidate.Transaction), id => ParentsOf(byId[id].Transaction));
        var count = (long)pooled.Count + 1 - maxTransactions;
        var bytes = (long)pooled.Sum(e => e.Size) + candidate.Size - maxBytes;
        if (count <= 0 && bytes <= 0)
        {
            return [];
        }

        if (candidate.Size > maxBytes || maxTransactions < 1)
        {
            return null;
        }

        var candidateScore = FeeRate.Min(
            new FeeRate(candidate.Fee.Units, candidate.Size),
            new FeeRate(candidate.Fee.Units + ancestors.Sum(a => byId[a].Fee.Units), candidate.Size + ancestors.Sum(a => (long)byId[a].Size)));
        var victims = new HashSet<Hash256>();
        while (count > 0 || bytes > 0)
        {
            var scored = pooled.Where(e => !victims.Contains(e.TxId) && !ancestors.Contains(e.TxId)).Select(e =>
            {
                var package = Closure([e.TxId], id => children[id]).Where(id => !victims.Contains(id)).ToList();
                var full = Closure([e.TxId], id => children[id]).Count;
                var score = FeeRate.Max(new FeeRate(e.Fee.Units, e.Size), new FeeRate(package.Sum(id => byId[id].Fee.Units), package.Sum(id => (long)byId[id].Size)));
                return (Entry: e, Score: score, Package: package, Shrank: package.Count < full);
            }).ToList();
            if (scored.Count == 0)
            {
                return null;
            }

            var lowest = scored.OrderBy(s => s.Score).ThenByDescending(s => s.Entry.Sequence).ThenBy(s => s.Entry.TxId).First();
            if (lowest.Score.CompareTo(candidateScore) >= 0)
            {
                return null;
            }

            rescored |= lowest.Shrank;
            foreach (var id in lowest.Package)
            {
                victims.Add(id);
                count--;
                bytes -= byId[id].Size;
            }
        }

        return [.. victims];
    }
}
