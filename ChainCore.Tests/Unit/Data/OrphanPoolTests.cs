using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;
using ChainCore.Tests.Fixtures;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Unit.Data;

[TestFixture, Category("Unit")]
public sealed class OrphanPoolTests
{
    [Test]
    public void Pool_is_bounded_dropping_the_oldest_and_hands_out_children_once()
    {
        var random = TestSeed.NewRandom(9);
        var pool = new OrphanPool(maxCount: 3, maxBytes: long.MaxValue);
        var parent = TestData.RandomHash(random);
        var blocks = Enumerable.Range(0, 4).Select(i => TestData.MineBlock(i < 2 ? parent : TestData.RandomHash(random), 1, 1, [], Amount.FromCoins(i + 1))).ToList();

        foreach (var block in blocks)
        {
            pool.Add(block);
        }

        pool.Add(blocks[3]);
        pool.Count.ShouldBe(3);
        pool.Contains(blocks[0].Hash).ShouldBeFalse("the oldest orphan made room");
        pool.TakeChildren(parent).Select(b => b.Hash).ShouldBe([blocks[1].Hash]);
        pool.TakeChildren(parent).ShouldBeEmpty();
        pool.Count.ShouldBe(2);
    }

    [Test]
    public void Pool_is_bounded_by_bytes_as_well_as_count()
    {
        var random = TestSeed.NewRandom(11);
        var blocks = Enumerable.Range(0, 10).Select(i => TestData.MineBlock(TestData.RandomHash(random), 1, 1, [], Amount.FromCoins(i + 1))).ToList();
        var size = blocks.Max(b => b.SerializedSize);
        var pool = new OrphanPool(maxCount: 100, maxBytes: 3L * size);

        foreach (var block in blocks)
        {
            pool.Add(block);
        }

        pool.Count.ShouldBe(3, "the byte limit holds three blocks, whatever the count limit");
        pool.Bytes.ShouldBeLessThanOrEqualTo(3L * size);
        pool.Contains(blocks[^1].Hash).ShouldBeTrue("the newest stay");
        pool.Contains(blocks[0].Hash).ShouldBeFalse("the oldest were dropped");
        pool.Add(TestData.MineBlock(TestData.RandomHash(random), 1, 1, [], Amount.FromCoins(1))).ShouldBeTrue();
        new OrphanPool(maxCount: 100, maxBytes: size - 1).Add(blocks[0]).ShouldBeFalse("a block bigger than the whole pool is not kept");
    }
}
