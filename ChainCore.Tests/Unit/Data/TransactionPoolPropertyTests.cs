using System.Collections.Immutable;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;
using ChainCore.Node.Mempool;
using ChainCore.Tests.Fixtures;
using ChainCore.Tests.Harness;
using Microsoft.Extensions.Time.Testing;

namespace ChainCore.Tests.Unit.Data;

/// <summary>
/// Seeded random traffic on the pool (dependent transactions, evictions, removals, blocks connected and
/// disconnected) on a clock that moves between steps, checking after every step against a model
/// recomputed from scratch. Each case draws from its own seed, derived from the run's (<see cref="TestSeed"/>).
/// </summary>
[TestFixture, Category("Unit")]
public sealed class TransactionPoolPropertyTests
{
    private static readonly MempoolLimits Tight = new() { MaxAncestors = 5, MaxDescendants = 6, MaxAncestorBytes = 1_600, MaxDescendantBytes = 2_000 };

    [Test]
    public void Tight_pool_and_limits_keep_every_invariant()
    {
        ShouldCoverEverything(Enumerable.Range(1, 8).Select(stream =>
        {
            var clock = new FakeTimeProvider();
            return new Run(TestSeed.NewRandom(stream).Next(), new TransactionPool(maxTransactions: 16, maxBytes: 5_000, Tight, clock), clock, chainBias: 60).Steps(250);
        }), longestChain: 4);
    }

    [Test]
    public void Long_chains_under_the_default_limits_keep_every_invariant()
    {
        ShouldCoverEverything(Enumerable.Range(1, 4).Select(stream =>
        {
            var clock = new FakeTimeProvider();
            return new Run(TestSeed.NewRandom(stream).Next(), new TransactionPool(maxTransactions: 32, maxBytes: 14_000, clock: clock), clock, chainBias: 90).Steps(400);
        }), longestChain: 20);
    }

    /// <summary>
    /// The seeds vary from run to run, so what the traffic reached is judged over the test's runs
    /// together (every invariant is checked after every step of each): a test that never evicts or
    /// never reorgs would check nothing about them.
    /// </summary>
    private static void ShouldCoverEverything(IEnumerable<Run> runs, int longestChain)
    {
        var all = runs.ToList();
        var summary = string.Join(Environment.NewLine, all.Select(r => r.Summary));
        all.ShouldAllBe(r => r.Accepted > r.StepCount / 5, summary);
        all.Sum(r => r.Evictions).ShouldBeGreaterThan(0, summary);
        all.ShouldContain(r => r.Refusals.ContainsKey(RejectCodes.TooLongMempoolChain), summary);
        all.Max(r => r.LongestChain).ShouldBeGreaterThanOrEqualTo(longestChain, summary);
        all.Sum(r => r.BlocksConnected).ShouldBeGreaterThan(0, summary);
        all.Sum(r => r.Disconnects).ShouldBeGreaterThan(0, summary);
        all.Sum(r => r.MinimumRises).ShouldBeGreaterThan(0, summary);
    }

    private sealed class Run(int seed, TransactionPool pool, FakeTimeProvider clock, int chainBias)
    {
        private readonly Random _random = new(seed);
        // Time draws apart, so the traffic of a seed is the same as before the clock moved.
        private readonly Random _time = new(~seed);
        private readonly HashSet<OutPoint> _confirmed = [];
        private readonly Stack<(Block Block, List<OutPoint> SpentConfirmed)> _blocks = new();
        private readonly Dictionary<Hash256, MempoolEntry> _known = [];
        private int _step;
        private int _accepted;
        private int _evictions;
        private int _blocksConnected;
        private int _disconnects;
        private int _largest;
        private int _longestChain;
        private int _minimumRises;
        private bool _evictedThisStep;
        private readonly Dictionary<string, int> _refusals = [];

        public int Accepted => _accepted;

        public int Evictions => _evictions;

        public IReadOnlyDictionary<string, int> Refusals => _refusals;

        public int LongestChain => _longestChain;

        public int BlocksConnected => _blocksConnected;

        public int Disconnects => _disconnects;

        public int MinimumRises => _minimumRises;

        public int StepCount { get; private set; }

        public string Summary => $"seed {seed}: {_accepted} accepted, {_evictions} with evictions, {_minimumRises} rises of the minimum fee rate, largest pool {_largest}, longest chain {_longestChain}, refused {string.Join(", ", _refusals.Select(r => $"{r.Key} {r.Value}"))}, {_blocksConnected} blocks, {_disconnects} disconnects";

        private string _operation = "";

        private string Where => $"seed {seed}, step {_step} ({_operation})";

        /// <summary>Runs <paramref name="count"/> steps, checking every invariant after each.</summary>
        public Run Steps(int count)
        {
            StepCount = count;
            for (var i = 0; i < 25; i++)
            {
                _confirmed.Add(new OutPoint(TestData.RandomHash(_random), (uint)_random.Next(4)));
            }

            for (_step = 0; _step < count; _step++)
            {
                clock.Advance(TimeSpan.FromMinutes(_time.Next(0, 180)));
                var minimumBefore = pool.MinimumFeePerKb;
                _evictedThisStep = false;
                var operation = _random.Next(100);
                _operation = operation switch { < 75 => "add", < 79 => "remove", < 91 => "connect", _ => "disconnect" };
                if (operation < 75)
                {
                    AddRandom();
                }
                else if (operation < 79)
                {
                    RemoveRandom();
                }
                else if (operation < 91)
                {
                    ConnectBlock();
                }
                else
                {
                    DisconnectBlock();
                }

                CheckInvariants();
                var minimumAfter = pool.MinimumFeePerKb;
                if (!_evictedThisStep)
                {
                    minimumAfter.ShouldBeLessThanOrEqualTo(minimumBefore, $"{Where}: the minimum fee rate rose without an eviction");
                }

                _minimumRises += minimumAfter > minimumBefore ? 1 : 0;
                _largest = Math.Max(_largest, pool.Count);
            }

            return this;
        }

        private Transaction NewTransaction(IReadOnlyList<OutPoint> spends) => new(
            [.. spends.Select(o => new TxIn(o, [.. TestData.RandomBytes(_random, _random.Next(0, 250))], [.. TestData.RandomBytes(_random, 33)]))],
            [.. Enumerable.Range(0, _random.Next(1, 4)).Select(_ => new TxOut(new Amount(_random.Next(1, 100_000)), [.. TestData.RandomBytes(_random, 20)]))]);

        private MempoolEntry NewEntry(Transaction tx, long fee)
        {
            var entry = new MempoolEntry(tx, new Amount(fee), ImmutableArray<SpentCoin>.Empty, DateTimeOffset.UnixEpoch, pool.NextSequence());
            _known[tx.TxId] = entry;
            return entry;
        }

        private List<OutPoint> Spendable(bool fromPool)
        {
            if (!fromPool)
            {
                return [.. _confirmed.Where(o => pool.GetSpender(o) is null).OrderBy(o => o.TxId).ThenBy(o => o.Index)];
            }

            // Newest first, so chains grow long.
            return [.. pool.Snapshot().Reverse().Take(6)
                .SelectMany(e => Enumerable.Range(0, e.Transaction.Outputs.Length).Select(i => new OutPoint(e.TxId, (uint)i)))
                .Where(o => pool.GetSpender(o) is null)];
        }

        private void AddRandom()
        {
            var before = State();
            if (_random.Next(100) < 4 && before.Entries.Count > 0)
            {
                // A double spend of something pooled (the acceptor's to refuse): the pool throws, nothing changes.
                var victim = before.Entries[_random.Next(before.Entries.Count)].Transaction;
                var rival = NewTransaction([victim.Inputs[0].PreviousOutput]);
                Should.Throw<InvalidOperationException>(() => pool.TryAdd(NewEntry(rival, 1_000_000), out _), Where);
                State().ShouldBe(before, Where);
                return;
            }

            var spends = new List<OutPoint>();
            var inputs = _random.Next(1, 4);
            var pooled = Spendable(fromPool: true);
            var confirmed = Spendable(fromPool: false);
            while (spends.Count < inputs)
            {
                var source = pooled.Count > 0 && (confirmed.Count == 0 || _random.Next(100) < chainBias) ? pooled : confirmed;
                if (source.Count == 0)
                {
                    break;
                }

                var pick = _random.Next(source.Count);
                spends.Add(source[pick]);
                source.RemoveAt(pick);
            }

            if (spends.Count == 0)
            {
                return;
            }

            var tx = NewTransaction(spends);
            long fee = _random.Next(100) < 20 ? _random.Next(1, 200) : _random.Next(1, 60_000);
            var entry = NewEntry(tx, fee);
            var ancestors = before.AncestorsOf(tx);
            var minimumBefore = pool.MinimumFeePerKb;
            var result = pool.TryAdd(entry, out var evicted);
            if (!result.IsValid)
            {
                result.Category.ShouldBe(ValidationCategory.Policy, Where);
                _refusals[result.Code!] = _refusals.GetValueOrDefault(result.Code!) + 1;
                evicted.ShouldBeEmpty(Where);
                State().ShouldBe(before, $"{Where}: a refused candidate ({result}) changes nothing");
                return;
            }

            _accepted++;
            pool.Contains(tx.TxId).ShouldBeTrue(Where);
            evicted.Intersect(ancestors).ShouldBeEmpty($"{Where}: eviction took an ancestor of the candidate");
            if (evicted.Count == 0)
            {
                return;
            }

            _evictions++;
            _evictedThisStep = true;
            var gone = evicted.ToHashSet();
            foreach (var txId in evicted)
            {
                pool.Contains(txId).ShouldBeFalse(Where);
                before.DescendantsOf(txId).ShouldBeSubsetOf(gone, $"{Where}: {txId} was evicted without all its descendants");
            }

            var candidateScore = Math.Min(fee * 1_000_000 / tx.SerializedSize, (fee + ancestors.Sum(a => before.Fee(a))) * 1_000_000 / (tx.SerializedSize + ancestors.Sum(a => before.Size(a))));
            foreach (var txId in evicted.Where(id => !before.ParentsOf(id).Any(gone.Contains)))
            {
                // A root of an evicted package: its descendant score, at least its own fee rate, was below the candidate's.
                (before.Fee(txId) * 1_000_000 / before.Size(txId)).ShouldBeLessThanOrEqualTo(candidateScore, $"{Where}: evicted {txId} paid more than the candidate");
            }

            // Each evicted package paid at least its cheapest member's rate and less than the candidate's score.
            var incremental = pool.Limits.IncrementalRelayFeePerKb;
            var minimum = pool.MinimumFeePerKb;
            minimum.ShouldBeGreaterThanOrEqualTo(incremental + evicted.Min(id => before.Fee(id) * 1_000 / before.Size(id)), $"{Where}: the minimum fee rate after an eviction");
            minimum.ShouldBeLessThanOrEqualTo(Math.Max(minimumBefore, incremental + (candidateScore / 1_000)), $"{Where}: the minimum fee rate after an eviction");
        }

        private void RemoveRandom()
        {
            var before = State();
            if (before.Entries.Count == 0)
            {
                return;
            }

            var target = before.Entries[_random.Next(before.Entries.Count)].TxId;
            var expected = before.DescendantsOf(target).Append(target);
            pool.RemoveWithDescendants(target).ShouldBe(expected, ignoreOrder: true, Where);
        }

        private void ConnectBlock()
        {
            var before = State();
            var included = new List<Hash256>();
            for (var i = 0; i < _random.Next(0, 3) && before.Entries.Count > 0; i++)
            {
                var pick = before.Entries[_random.Next(before.Entries.Count)].TxId;
                included.AddRange(before.AncestorsOf(before.Transaction(pick)).Append(pick).Where(id => !included.Contains(id)));
            }

            // Parents first: a returning transaction is pooled after its children, so pool order is not enough.
            var transactions = included.OrderBy(id => before.AncestorsOf(before.Transaction(id)).Count).Select(before.Transaction).ToList();
            var conflicted = before.Entries.Where(e => !included.Contains(e.TxId))
                .SelectMany(e => e.Transaction.Inputs.Select(i => i.PreviousOutput)).Where(_confirmed.Contains).ToList();
            if (conflicted.Count > 0 && _random.Next(100) < 40)
            {
                var rival = NewTransaction([conflicted[_random.Next(conflicted.Count)]]);
                NewEntry(rival, _random.Next(1, 60_000));
                transactions.Add(rival);
            }

            var block = new Block(new BlockHeader(1, TestData.RandomHash(_random), Hash256.Zero, 0, 0x207fffff, 0), [.. transactions]);
            var spentByBlock = transactions.SelectMany(t => t.Inputs.Select(i => i.PreviousOutput)).ToHashSet();
            var conflicts = before.Entries.Where(e => !included.Contains(e.TxId) && e.Transaction.Inputs.Any(i => spentByBlock.Contains(i.PreviousOutput))).Select(e => e.TxId).ToList();
            var expected = included.Concat(conflicts).Concat(conflicts.SelectMany(before.DescendantsOf)).Distinct();

            pool.RemoveForBlock(block).ShouldBe(expected, ignoreOrder: true, Where);

            var spentConfirmed = new List<OutPoint>();
            foreach (var tx in transactions)
            {
                foreach (var input in tx.Inputs)
                {
                    if (_confirmed.Remove(input.PreviousOutput) && !transactions.Any(t => t.TxId == input.PreviousOutput.TxId))
                    {
                        spentConfirmed.Add(input.PreviousOutput);
                    }
                }

                for (var i = 0; i < tx.Outputs.Length; i++)
                {
                    _confirmed.Add(new OutPoint(tx.TxId, (uint)i));
                }
            }

            _blocks.Push((block, spentConfirmed));
            _blocksConnected++;
        }

        private void DisconnectBlock()
        {
            if (!_blocks.TryPop(out var popped))
            {
                return;
            }

            _disconnects++;
            var (block, spentConfirmed) = popped;
            foreach (var tx in block.Transactions)
            {
                for (var i = 0; i < tx.Outputs.Length; i++)
                {
                    _confirmed.Remove(new OutPoint(tx.TxId, (uint)i));
                }
            }

            _confirmed.UnionWith(spentConfirmed);
            foreach (var tx in block.Transactions)
            {
                // The acceptor refuses it if a parent did not return.
                var returned = !tx.Inputs.Any(i => !_confirmed.Contains(i.PreviousOutput) && pool.GetOutput(i.PreviousOutput) is null);
                var evicted = (IReadOnlyList<Hash256>)[];
                var result = returned ? pool.TryAdd(_known[tx.TxId] with { Sequence = pool.NextSequence() }, out evicted) : ValidationResult.Ok;
                _evictedThisStep |= evicted.Count > 0;
                if (returned && result.IsValid)
                {
                    continue;
                }

                // What does not return takes its pooled descendants with it: their inputs are gone.
                if (returned)
                {
                    result.Category.ShouldBe(ValidationCategory.Policy, Where);
                }

                for (var i = 0; i < tx.Outputs.Length; i++)
                {
                    if (pool.GetSpender(new OutPoint(tx.TxId, (uint)i)) is { } orphaned)
                    {
                        pool.RemoveWithDescendants(orphaned);
                    }
                }
            }
        }

        private PoolState State() => new(pool);

        private void CheckInvariants()
        {
            var state = State();
            var limits = pool.Limits;
            var spent = new HashSet<OutPoint>();
            foreach (var entry in state.Entries)
            {
                foreach (var input in entry.Transaction.Inputs)
                {
                    var fromPool = state.Contains(input.PreviousOutput.TxId) && input.PreviousOutput.Index < state.Transaction(input.PreviousOutput.TxId).Outputs.Length;
                    (fromPool || _confirmed.Contains(input.PreviousOutput)).ShouldBeTrue($"{Where}: {entry.TxId} spends {input.PreviousOutput}, neither confirmed nor pooled");
                    spent.Add(input.PreviousOutput).ShouldBeTrue($"{Where}: {input.PreviousOutput} spent twice");
                    pool.GetSpender(input.PreviousOutput).ShouldBe(entry.TxId, Where);
                }

                var ancestors = state.AncestorsOf(entry.Transaction);
                var descendants = state.DescendantsOf(entry.TxId);
                var expected = new MempoolPackageState(
                    ancestors.Count + 1,
                    entry.Size + ancestors.Sum(state.Size),
                    new Amount(entry.Fee.Units + ancestors.Sum(state.Fee)),
                    descendants.Count + 1,
                    entry.Size + descendants.Sum(state.Size),
                    new Amount(entry.Fee.Units + descendants.Sum(state.Fee)));
                state.Packages[entry.TxId].ShouldBe(expected, $"{Where}: package state of {entry.TxId}");
                expected.AncestorCount.ShouldBeLessThanOrEqualTo(limits.MaxAncestors, Where);
                _longestChain = Math.Max(_longestChain, expected.AncestorCount);
                expected.DescendantCount.ShouldBeLessThanOrEqualTo(limits.MaxDescendants, Where);
                expected.AncestorSize.ShouldBeLessThanOrEqualTo(limits.MaxAncestorBytes, Where);
                expected.DescendantSize.ShouldBeLessThanOrEqualTo(limits.MaxDescendantBytes, Where);
            }

            pool.Count.ShouldBe(state.Entries.Count, Where);
            pool.Bytes.ShouldBe(state.Entries.Sum(e => e.Size), Where);

            var total = state.Entries.Sum(e => e.Size);
            foreach (var budget in new[] { _random.Next(0, total + 1), total })
            {
                var selected = PackageSelector.Select(pool.Graph(), budget);
                selected.Sum(e => e.Size).ShouldBeLessThanOrEqualTo(budget, Where);
                var placed = new HashSet<Hash256>();
                foreach (var entry in selected)
                {
                    state.ParentsOf(entry.TxId).ShouldBeSubsetOf(placed, $"{Where}: {entry.TxId} selected before a parent");
                    placed.Add(entry.TxId).ShouldBeTrue(Where);
                }

                if (budget == total)
                {
                    placed.Count.ShouldBe(state.Entries.Count, $"{Where}: with room for everything, everything is selected");
                    selected.Select(e => e.TxId).ShouldBe(state.GreedyPackageOrder(), $"{Where}: the order of the greedy ancestor-package choice, recomputed from scratch");
                }
            }
        }
    }

    /// <summary>The pool as its public surface shows it, with relatives recomputed from the transactions alone.</summary>
    private sealed class PoolState : IEquatable<PoolState>
    {
        private readonly Dictionary<Hash256, MempoolEntry> _byId;
        private readonly Dictionary<Hash256, List<Hash256>> _children = [];

        public PoolState(TransactionPool pool)
        {
            Entries = pool.Snapshot();
            _byId = Entries.ToDictionary(e => e.TxId);
            Packages = Entries.ToDictionary(e => e.TxId, e => pool.GetPackageState(e.TxId)!.Value);
            foreach (var entry in Entries)
            {
                foreach (var parent in ParentsOf(entry.TxId))
                {
                    if (!_children.TryGetValue(parent, out var list))
                    {
                        _children[parent] = list = [];
                    }

                    list.Add(entry.TxId);
                }
            }
        }

        public IReadOnlyList<MempoolEntry> Entries { get; }

        public Dictionary<Hash256, MempoolPackageState> Packages { get; }

        public bool Contains(Hash256 txId) => _byId.ContainsKey(txId);

        public Transaction Transaction(Hash256 txId) => _byId[txId].Transaction;

        public long Size(Hash256 txId) => _byId[txId].Size;

        public long Fee(Hash256 txId) => _byId[txId].Fee.Units;

        public IEnumerable<Hash256> ParentsOf(Hash256 txId) =>
            _byId[txId].Transaction.Inputs.Select(i => i.PreviousOutput.TxId).Where(_byId.ContainsKey).Distinct();

        public List<Hash256> AncestorsOf(Transaction tx) =>
            Closure(tx.Inputs.Select(i => i.PreviousOutput.TxId).Where(_byId.ContainsKey), id => ParentsOf(id));

        public List<Hash256> DescendantsOf(Hash256 txId) =>
            Closure(_children.GetValueOrDefault(txId) ?? [], id => _children.GetValueOrDefault(id) ?? []);

        private static List<Hash256> Closure(IEnumerable<Hash256> start, Func<Hash256, IEnumerable<Hash256>> next)
        {
            var seen = new HashSet<Hash256>();
            var stack = new Stack<Hash256>(start);
            while (stack.TryPop(out var id))
            {
                if (seen.Add(id))
                {
                    foreach (var n in next(id))
                    {
                        stack.Push(n);
                    }
                }
            }

            return [.. seen];
        }

        /// <summary>
        /// Bitcoin's mining order computed naively: again and again, the transaction whose package (it and
        /// its ancestors not chosen yet) has the best score, min(own rate, package rate), goes in with that
        /// package, parents first. Ties go to the better full score, then the oldest.
        /// </summary>
        public List<Hash256> GreedyPackageOrder()
        {
            var ancestors = Entries.ToDictionary(e => e.TxId, e => AncestorsOf(e.Transaction));
            int Compare(Hash256 id, List<Hash256> package, Hash256 otherId, List<Hash256> otherPackage)
            {
                var score = Score(id, package);
                var other = Score(otherId, otherPackage);
                return (score.Fees * other.Size).CompareTo(other.Fees * score.Size);
            }

            (Int128 Fees, Int128 Size) Score(Hash256 id, List<Hash256> package)
            {
                Int128 fees = Fee(id) + package.Sum(Fee), size = Size(id) + package.Sum(Size);
                return Fee(id) * size <= fees * Size(id) ? (Fee(id), Size(id)) : (fees, size);
            }

            var full = Entries.Select(e => e.TxId)
                .OrderByDescending(id => id, Comparer<Hash256>.Create((a, b) => Compare(a, ancestors[a], b, ancestors[b])))
                .ThenBy(id => _byId[id].Sequence).ThenBy(id => id).ToList();
            var rank = full.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i);
            var remaining = full.ToHashSet();
            var order = new List<Hash256>();
            while (remaining.Count > 0)
            {
                Hash256? best = null;
                List<Hash256> bestPackage = [];
                foreach (var id in remaining)
                {
                    var package = ancestors[id].Where(remaining.Contains).ToList();
                    var better = best is null ? 1 : Compare(id, package, best.Value, bestPackage);
                    if (better > 0 || (better == 0 && rank[id] < rank[best!.Value]))
                    {
                        (best, bestPackage) = (id, package);
                    }
                }

                foreach (var id in bestPackage.Append(best!.Value).OrderBy(id => ancestors[id].Count).ThenBy(id => _byId[id].Sequence).ThenBy(id => id))
                {
                    order.Add(id);
                    remaining.Remove(id);
                }
            }

            return order;
        }

        public bool Equals(PoolState? other) =>
            other is not null
            && Entries.Select(e => e.TxId).SequenceEqual(other.Entries.Select(e => e.TxId))
            && Packages.All(p => other.Packages[p.Key] == p.Value);

        public override bool Equals(object? obj) => Equals(obj as PoolState);

        public override int GetHashCode() => Entries.Count;

        public override string ToString() => $"{Entries.Count} entries: {string.Join(", ", Entries.Select(e => e.TxId.ToString()[..8]))}";
    }
}
