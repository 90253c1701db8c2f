using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;
using ChainCore.Tests.Fixtures;

namespace ChainCore.Tests.Unit.Data;

[TestFixture, Category("Unit")]
public sealed class OrphanPoolTests
{
    [Test]
    public void Pool_is_bounded_dropping_the_oldest_and_hands_out_children_once()
    {
        var random = new Random(9);
        var pool = new OrphanPool(capacity: 3);
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
}
