using System.Numerics;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;
using ChainCore.Tests.Fixtures;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Unit.Chain;

/// <summary>One entry of the block index: its height and work, its skip pointer, its median time past, and how branches compare.</summary>
[TestFixture, Category("Unit")]
public sealed class BlockIndexEntryTests
{
    private const uint EasyBits = 0x207fffff;
    private const uint HarderBits = 0x1f7fffff;

    private long _sequence;

    private BlockIndexEntry Entry(BlockIndexEntry? parent, uint time = 0, uint bits = EasyBits, long? sequence = null)
    {
        var random = TestSeed.NewRandom((int)++_sequence);
        var header = new BlockHeader(1, parent?.Hash ?? default, TestData.RandomHash(random), time, bits, 0);
        return new BlockIndexEntry(header, TestData.RandomHash(random), parent, sequence ?? _sequence);
    }

    private List<BlockIndexEntry> Chain(int length, BlockIndexEntry? from = null, Func<int, uint>? time = null)
    {
        var chain = new List<BlockIndexEntry>();
        var parent = from;
        for (var i = 0; i < length; i++)
        {
            parent = Entry(parent, time?.Invoke(i) ?? (uint)i);
            chain.Add(parent);
        }

        return chain;
    }

    // Bitcoin's GetSkipHeight for these heights.
    [TestCase(0, 0)]
    [TestCase(1, 0)]
    [TestCase(2, 0)]
    [TestCase(3, 1)]
    [TestCase(4, 0)]
    [TestCase(5, 1)]
    [TestCase(6, 4)]
    [TestCase(7, 1)]
    [TestCase(12, 8)]
    [TestCase(14, 12)]
    [TestCase(15, 9)]
    [TestCase(100, 96)]
    [TestCase(101, 65)]
    [TestCase(1_000, 992)]
    [TestCase(1_001, 961)]
    public void The_skip_height_clears_the_lowest_set_bits_as_bitcoin_does(int height, int skip) =>
        BlockIndexEntry.GetSkipHeight(height).ShouldBe(skip);

    [Test]
    public void Each_entry_skips_to_its_ancestor_at_the_skip_height_and_the_first_has_none()
    {
        var chain = Chain(40);

        chain[0].Skip.ShouldBeNull();
        chain[1].Skip.ShouldBeSameAs(chain[0]);
        foreach (var entry in chain.Skip(2))
        {
            entry.Skip.ShouldBeSameAs(chain[BlockIndexEntry.GetSkipHeight(entry.Height)], $"height {entry.Height}");
        }
    }

    [Test]
    public void Ancestors_exist_from_height_zero_to_the_entrys_own_and_nowhere_else()
    {
        var chain = Chain(30);
        var tip = chain[^1];

        tip.GetAncestor(29).ShouldBeSameAs(tip);
        tip.GetAncestor(0).ShouldBeSameAs(chain[0]);
        tip.GetAncestor(30).ShouldBeNull();
        tip.GetAncestor(-1).ShouldBeNull();
        for (var height = 0; height < 30; height++)
        {
            tip.GetAncestor(height).ShouldBeSameAs(chain[height]);
        }
    }

    [Test]
    public void Height_and_work_add_up_along_the_chain()
    {
        var genesis = Entry(null);
        var easy = Entry(genesis);
        var hard = Entry(easy, bits: HarderBits);

        (genesis.Height, easy.Height, hard.Height).ShouldBe((0, 1, 2));
        genesis.ChainWork.ShouldBe(Target.GetBlockWork(EasyBits));
        easy.ChainWork.ShouldBe(Target.GetBlockWork(EasyBits) * 2);
        hard.ChainWork.ShouldBe((Target.GetBlockWork(EasyBits) * 2) + Target.GetBlockWork(HarderBits));
        Target.GetBlockWork(HarderBits).ShouldBeGreaterThan(Target.GetBlockWork(EasyBits));
        hard.ToString().ShouldBe($"{hard.Hash} @2");
    }

    [Test]
    public void The_median_time_past_takes_the_last_eleven_blocks_only()
    {
        // Heights 1 to 11 have times 1 to 11; genesis, the twelfth back from height 11, has 100.
        var chain = Chain(13, time: i => i == 0 ? 100u : (uint)i);

        chain[11].MedianTimePast().ShouldBe(6);
        chain[12].MedianTimePast().ShouldBe(7);
        chain[0].MedianTimePast().ShouldBe(100);
        chain[2].MedianTimePast().ShouldBe(2, "of 100, 1 and 2");
    }

    [Test]
    public void More_work_wins_and_equal_work_goes_to_the_entry_seen_first()
    {
        var genesis = Entry(null);
        var first = Entry(genesis, sequence: 10);
        var second = Entry(genesis, sequence: 11);
        var harder = Entry(genesis, bits: HarderBits, sequence: 12);

        first.IsBetterThan(second).ShouldBeTrue();
        second.IsBetterThan(first).ShouldBeFalse();
        first.IsBetterThan(first).ShouldBeFalse();
        harder.IsBetterThan(first).ShouldBeTrue();
        first.IsBetterThan(harder).ShouldBeFalse();
        first.IsBetterThan(genesis).ShouldBeTrue();
    }

    [Test]
    public void Forks_and_descent_are_found_between_branches_of_any_lengths()
    {
        var trunk = Chain(20);
        var left = Chain(17, trunk[9]);
        var right = Chain(3, trunk[9]);

        BlockIndexEntry.FindFork(left[^1], right[^1]).ShouldBeSameAs(trunk[9]);
        BlockIndexEntry.FindFork(right[^1], left[^1]).ShouldBeSameAs(trunk[9]);
        BlockIndexEntry.FindFork(left[^1], trunk[^1]).ShouldBeSameAs(trunk[9]);
        BlockIndexEntry.FindFork(trunk[^1], trunk[4]).ShouldBeSameAs(trunk[4]);
        BlockIndexEntry.FindFork(left[^1], left[^1]).ShouldBeSameAs(left[^1]);
        BlockIndexEntry.FindFork(left[0], right[0]).ShouldBeSameAs(trunk[9]);

        left[^1].Descends(trunk[9]).ShouldBeTrue();
        left[^1].Descends(left[^1]).ShouldBeTrue();
        left[^1].Descends(trunk[10]).ShouldBeFalse();
        trunk[9].Descends(left[0]).ShouldBeFalse();
    }

    [Test]
    public void Children_are_the_entries_added_under_it()
    {
        var genesis = Entry(null);
        var a = Entry(genesis);
        var b = Entry(genesis);
        genesis.AddChild(a);
        genesis.AddChild(b);

        genesis.Children.ShouldBe([a, b]);
        a.Children.ShouldBeEmpty();
        a.Parent.ShouldBeSameAs(genesis);
        a.InvalidReason.ShouldBeNull();
        a.IsInvalid.ShouldBeFalse();
    }

    [Test]
    public void Work_is_a_big_integer_that_does_not_overflow_a_long_chain()
    {
        var chain = Chain(3);
        chain[^1].ChainWork.ShouldBe(new BigInteger(3) * Target.GetBlockWork(EasyBits));
    }
}
