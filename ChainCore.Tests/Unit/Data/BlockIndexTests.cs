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

    [Test]
    public void Ancestor_lookups_take_logarithmic_steps_on_a_long_chain()
    {
        var entries = RandomTree(TestSeed.NewRandom(), 100_000, branchProbability: 0);
        var tip = entries[^1];
        var steps = Enumerable.Range(0, 200).Max(h => CountHops(tip, h * 400));

        tip.Height.ShouldBe(99_999);
        steps.ShouldBeLessThan(200, "skip pointers reach any ancestor in O(log n) hops, not O(n)");
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

    private static int CountHops(BlockIndexEntry from, int height)
    {
        // Same rule as GetAncestor, counting hops.
        var hops = 0;
        var walk = from;
        while (walk.Height > height)
        {
            var skipHeight = BlockIndexEntry.GetSkipHeight(walk.Height);
            var skipPrev = BlockIndexEntry.GetSkipHeight(walk.Height - 1);
            walk = walk.Skip is not null && (skipHeight == height || (skipHeight > height && !(skipPrev < skipHeight - 2 && skipPrev >= height)))
                ? walk.Skip
                : walk.Parent!;
            hops++;
        }

        walk.ShouldBeSameAs(from.GetAncestor(height));
        return hops;
    }
}
