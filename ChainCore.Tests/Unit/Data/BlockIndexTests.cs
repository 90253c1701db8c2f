using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;
using ChainCore.Tests.Fixtures;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Unit.Data;

/// <summary>The block index's skip pointers and the active chain's array, against naive walks on random trees.</summary>
[TestFixture, Category("Unit")]
public sealed class BlockIndexTests
{
    private static readonly ConsensusParams P = ConsensusParams.Regtest;

    [TestCase(1), TestCase(2), TestCase(3)]
    public void Skip_pointer_ancestors_and_forks_match_a_parent_walk_on_a_random_tree(int run)
    {
        var random = TestSeed.NewRandom();
        var entries = RandomTree(random, 3_000);

        for (var i = 0; i < 2_000; i++)
        {
            var entry = entries[random.Next(entries.Count)];
            var height = random.Next(-2, entry.Height + 3);
            entry.GetAncestor(height).ShouldBeSameAs(NaiveAncestor(entry, height), $"ancestor at {height} of {entry}");

            var other = entries[random.Next(entries.Count)];
            BlockIndexEntry.FindFork(entry, other).ShouldBeSameAs(NaiveFork(entry, other), $"fork of {entry} and {other}");
        }
    }

    // Bitcoin's skip heights reach any ancestor of a 100,000-block chain in at most 91 hops; a walk
    // that stopped taking the skip where it should, or took it where it should not, needs thousands.
    private const int MostHops = 100;

    [Test]
    public void Ancestor_lookups_take_logarithmic_hops_on_a_long_chain()
    {
        var entries = RandomTree(TestSeed.NewRandom(), 100_000, branchProbability: 0);
        var tip = entries[^1];
        var most = 0;
        var total = 0L;
        for (var height = 0; height <= tip.Height; height++)
        {
            tip.GetAncestor(height, out var hops).ShouldBeSameAs(entries[height]);
            most = Math.Max(most, hops);
            total += hops;
        }

        TestContext.Out.WriteLine($"hops from height {tip.Height}: at most {most}, {(double)total / entries.Count:F1} on average");
        most.ShouldBeLessThanOrEqualTo(MostHops, "skip pointers reach any ancestor in O(log n) hops, not O(n)");
        total.ShouldBeGreaterThan(entries.Count, "every ancestor below the tip takes a hop at least, most of them many");
        tip.GetAncestor(tip.Height, out var none).ShouldBeSameAs(tip);
        none.ShouldBe(0);
        tip.GetAncestor(tip.Height + 1, out _).ShouldBeNull();
        tip.GetAncestor(-1, out _).ShouldBeNull();
    }

    [Test]
    public void The_fork_of_two_long_branches_is_found_in_logarithmic_hops_whichever_is_longer()
    {
        var random = TestSeed.NewRandom();
        var trunk = RandomTree(random, 1_001, branchProbability: 0);
        var fork = trunk[^1];
        var left = Extend(random, fork, 60_000);
        var right = Extend(random, fork, 45_000);

        foreach (var (a, b) in new[] { (left, right), (right, left), (left, left), (left, trunk[500]), (trunk[500], right) })
        {
            var expected = NaiveFork(a, b);
            BlockIndexEntry.FindFork(a, b, out var hops).ShouldBeSameAs(expected, $"fork of {a} and {b}");
            TestContext.Out.WriteLine($"fork of heights {a.Height} and {b.Height} at {expected.Height}: {hops} hops");
            hops.ShouldBeLessThanOrEqualTo(MostHops, "levelling the heights, then skipping down both branches together");
            if (a != b)
            {
                hops.ShouldBeGreaterThan(0);
            }
        }
    }

    /// <summary>A branch of <paramref name="count"/> entries on <paramref name="parent"/>; returns its tip.</summary>
    private static BlockIndexEntry Extend(Random random, BlockIndexEntry parent, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var header = new BlockHeader(1, parent.Hash, TestData.RandomHash(random), parent.Header.Time + 1, P.PowLimitBits, (uint)i);
            var entry = new BlockIndexEntry(header, header.GetHash(), parent, parent.Sequence + 1);
            parent.AddChild(entry);
            parent = entry;
        }

        return parent;
    }

    [TestCase(5), TestCase(6)]
    public void Active_chain_answers_by_height_and_earlier_views_never_change(int run)
    {
        var random = TestSeed.NewRandom();
        var entries = RandomTree(random, 1_500);
        var chain = ActiveChain.Empty;
        var views = new List<(ActiveChain View, BlockIndexEntry Tip)>();
        for (var i = 0; i < 300; i++)
        {
            var tip = entries[random.Next(entries.Count)];
            chain = chain.WithTip(tip);
            views.Add((chain, tip));
        }

        foreach (var (view, tip) in views)
        {
            view.Tip.ShouldBeSameAs(tip);
            for (var h = 0; h <= tip.Height; h++)
            {
                view[h].ShouldBeSameAs(NaiveAncestor(tip, h));
            }

            foreach (var other in entries.Take(200))
            {
                view.Contains(other).ShouldBe(NaiveAncestor(tip, other.Height) == other);
            }
        }
    }

    /// <summary>A tree grown by attaching each new entry to the newest (a chain) or, with some probability, to a random earlier entry (a fork).</summary>
    private static List<BlockIndexEntry> RandomTree(Random random, int count, double branchProbability = 0.2)
    {
        var genesis = new BlockIndexEntry(P.Genesis.Header, P.GenesisHash, null, 0);
        var entries = new List<BlockIndexEntry> { genesis };
        for (var i = 1; i < count; i++)
        {
            var parent = random.NextDouble() < branchProbability ? entries[random.Next(entries.Count)] : entries[^1];
            var header = new BlockHeader(1, parent.Hash, TestData.RandomHash(random), parent.Header.Time + 1, P.PowLimitBits, (uint)i);
            var entry = new BlockIndexEntry(header, header.GetHash(), parent, i);
            parent.AddChild(entry);
            entries.Add(entry);
        }

        return entries;
    }

    private static BlockIndexEntry? NaiveAncestor(BlockIndexEntry entry, int height)
    {
        if (height < 0 || height > entry.Height)
        {
            return null;
        }

        var walk = entry;
        while (walk.Height > height)
        {
            walk = walk.Parent!;
        }

        return walk;
    }

    private static BlockIndexEntry NaiveFork(BlockIndexEntry a, BlockIndexEntry b)
    {
        var seen = new HashSet<BlockIndexEntry>();
        for (var e = a; e is not null; e = e.Parent)
        {
            seen.Add(e);
        }

        var walk = b;
        while (!seen.Contains(walk))
        {
            walk = walk.Parent!;
        }

        return walk;
    }
}
