using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;
using ChainCore.Tests.Fixtures;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Unit.Chain;

/// <summary>The orphan pool's bounds at exactly their limits: full is kept, one past full drops the oldest.</summary>
[TestFixture, Category("Unit")]
public sealed class OrphanPoolBoundaryTests
{
    private static List<Block> Orphans(int count, int seed)
    {
        var random = TestSeed.NewRandom(seed);
        return [.. Enumerable.Range(0, count).Select(i => TestData.MineBlock(TestData.RandomHash(random), 1, 1, [], Amount.FromCoins(i + 1)))];
    }

    [Test]
    public void A_pool_of_exactly_its_count_keeps_every_orphan()
    {
        var blocks = Orphans(3, 21);
        var pool = new OrphanPool(maxCount: 3, maxBytes: long.MaxValue);

        blocks.ForEach(b => pool.Add(b).ShouldBeTrue());

        pool.Count.ShouldBe(3);
        blocks.ShouldAllBe(b => pool.Contains(b.Hash));
    }

    [Test]
    public void A_pool_of_exactly_its_bytes_keeps_every_orphan_and_one_byte_less_drops_the_oldest()
    {
        var blocks = Orphans(3, 22);
        var total = blocks.Sum(b => (long)b.SerializedSize);

        var exact = new OrphanPool(maxCount: 100, maxBytes: total);
        blocks.ForEach(b => exact.Add(b));
        exact.Count.ShouldBe(3);
        exact.Bytes.ShouldBe(total);

        var short1 = new OrphanPool(maxCount: 100, maxBytes: total - 1);
        blocks.ForEach(b => short1.Add(b));
        short1.Count.ShouldBe(2);
        short1.Contains(blocks[0].Hash).ShouldBeFalse();
        short1.Bytes.ShouldBe(total - blocks[0].SerializedSize);
    }

    [Test]
    public void A_block_of_exactly_the_pools_bytes_is_kept_alone()
    {
        var block = Orphans(1, 23)[0];
        var pool = new OrphanPool(maxCount: 10, maxBytes: block.SerializedSize);

        pool.Add(block).ShouldBeTrue();
        pool.Count.ShouldBe(1);
        pool.Add(block).ShouldBeFalse("the same orphan is not kept twice");
        pool.Bytes.ShouldBe(block.SerializedSize);
    }

    [Test]
    public void A_pool_of_no_orphans_keeps_none()
    {
        new OrphanPool(maxCount: 0, maxBytes: long.MaxValue).Add(Orphans(1, 24)[0]).ShouldBeFalse();
    }

    [Test]
    public void Taking_the_children_of_a_parent_frees_their_bytes_and_leaves_the_other_orphans()
    {
        var random = TestSeed.NewRandom(25);
        var parent = TestData.RandomHash(random);
        var children = Enumerable.Range(0, 2).Select(i => TestData.MineBlock(parent, 1, 1, [], Amount.FromCoins(i + 1))).ToList();
        var other = TestData.MineBlock(TestData.RandomHash(random), 1, 1, [], Amount.FromCoins(9));
        var pool = new OrphanPool(maxCount: 10, maxBytes: long.MaxValue);
        children.ForEach(b => pool.Add(b));
        pool.Add(other);

        pool.TakeChildren(parent).Select(b => b.Hash).ShouldBe(children.Select(b => b.Hash));

        pool.Count.ShouldBe(1);
        pool.Bytes.ShouldBe(other.SerializedSize);
        pool.Contains(other.Hash).ShouldBeTrue();
        pool.TakeChildren(other.Header.PreviousHash).Single().Hash.ShouldBe(other.Hash);
        pool.Bytes.ShouldBe(0);
    }
}
