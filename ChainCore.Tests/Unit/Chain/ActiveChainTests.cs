using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;

namespace ChainCore.Tests.Unit.Chain;

/// <summary>
/// The active chain's views: an empty one has no tip, and a view built from an older one — a branch
/// off it after a longer view was built from it — never changes the longer view, which shares its array.
/// And what a view costs: appending shares the array and grows it by doubling; only a change of a
/// slot another view shows copies it.
/// </summary>
[TestFixture, Category("Unit")]
public sealed class ActiveChainTests
{
    private static readonly BlockIndexEntry Genesis = new(ConsensusParams.Regtest.Genesis.Header, ConsensusParams.Regtest.GenesisHash, null, 0);

    private static List<BlockIndexEntry> Branch(BlockIndexEntry from, int length, uint salt)
    {
        var entries = new List<BlockIndexEntry>();
        for (var parent = from; entries.Count < length; parent = entries[^1])
        {
            var header = new BlockHeader(1, parent.Hash, Hash256.Zero, parent.Header.Time + 1, parent.Header.Bits, salt * 1_000 + (uint)entries.Count);
            var entry = new BlockIndexEntry(header, header.GetHash(), parent, parent.Sequence + 1);
            parent.AddChild(entry);
            entries.Add(entry);
        }

        return entries;
    }

    [Test]
    public void An_empty_chain_has_no_tip_and_no_block_at_any_height()
    {
        var empty = ActiveChain.Empty;

        Should.Throw<InvalidOperationException>(() => empty.Tip).Message.ShouldBe("The chain is empty.");
        empty.Height.ShouldBe(-1);
        empty[0].ShouldBeNull();
        empty[-1].ShouldBeNull();
        Should.Throw<ArgumentNullException>(() => empty.WithTip(null!));
    }

    [Test]
    public void A_branch_built_from_an_older_view_leaves_the_longer_view_built_from_it_as_it_was()
    {
        var trunk = Branch(Genesis, 10, salt: 1);
        var older = ActiveChain.Empty.WithTip(trunk[^1]);
        var longer = Branch(trunk[^1], 5, salt: 2);
        var rival = Branch(trunk[^1], 3, salt: 3);

        var extended = older.WithTip(longer[^1]);
        var branched = older.WithTip(rival[^1]);

        extended.Height.ShouldBe(15);
        for (var i = 0; i < longer.Count; i++)
        {
            extended[11 + i].ShouldBeSameAs(longer[i], $"height {11 + i} of the longer view");
        }

        branched.Height.ShouldBe(13);
        branched[11].ShouldBeSameAs(rival[0]);
        branched[13].ShouldBeSameAs(rival[^1]);
        branched.Contains(longer[0]).ShouldBeFalse();
        extended.Contains(rival[0]).ShouldBeFalse();
        older.Height.ShouldBe(10);
        older[11].ShouldBeNull();
    }

    [Test]
    public void Appending_a_block_at_a_time_doubles_the_array_from_16_slots_so_a_long_chain_copies_it_a_few_times()
    {
        var blocks = Branch(Genesis, 1_000, salt: 4);
        var view = ActiveChain.Empty.WithTip(Genesis);
        var capacities = new List<int> { view.Capacity };

        foreach (var block in blocks)
        {
            var next = view.WithTip(block);
            if (next.Capacity == view.Capacity)
            {
                next.SharesArrayWith(view).ShouldBeTrue($"height {block.Height}: appending with room left shares the array");
            }
            else
            {
                capacities.Add(next.Capacity);
            }

            view = next;
        }

        capacities.ShouldBe([16, 32, 64, 128, 256, 512, 1_024]);
        view.Height.ShouldBe(1_000);
        view.Tip.ShouldBeSameAs(blocks[^1]);
    }

    [Test]
    public void A_view_jumping_far_past_its_array_gets_one_just_big_enough_and_an_empty_one_a_copy()
    {
        var blocks = Branch(Genesis, 40, salt: 5);

        var far = ActiveChain.Empty.WithTip(blocks[^1]);

        far.Capacity.ShouldBe(41, "a tip beyond twice the array gets exactly its height's slots");
        far[0].ShouldBeSameAs(Genesis);
        far[20].ShouldBeSameAs(blocks[19]);
        var next = far.WithTip(Branch(blocks[^1], 1, salt: 6)[0]);
        next.Capacity.ShouldBe(82, "then it doubles");
        next.SharesArrayWith(far).ShouldBeFalse();
    }

    [Test]
    public void Only_the_newest_view_appends_in_place_a_replaced_tip_or_an_older_view_copies_and_every_height_below_the_fork_is_kept()
    {
        var trunk = Branch(Genesis, 5, salt: 7);
        var five = ActiveChain.Empty.WithTip(Genesis).WithTip(trunk[^1]);
        var six = five.WithTip(Branch(trunk[^1], 1, salt: 8)[0]);
        six.SharesArrayWith(five).ShouldBeTrue("appending to the newest view");

        var fromFive = five.WithTip(Branch(trunk[^1], 1, salt: 9)[0]);
        fromFive.SharesArrayWith(five).ShouldBeFalse("six already uses the slot above five");

        var rival = Branch(trunk[2], 1, salt: 10)[0];
        var replaced = six.WithTip(rival);
        replaced.SharesArrayWith(six).ShouldBeFalse("a replaced block copies, so six stays as it was");
        replaced.Height.ShouldBe(4);
        for (var h = 1; h <= 3; h++)
        {
            replaced[h].ShouldBeSameAs(trunk[h - 1], $"height {h}, below the fork");
        }

        replaced[0].ShouldBeSameAs(Genesis);
        replaced[4].ShouldBeSameAs(rival);
        six[4].ShouldBeSameAs(trunk[3]);
        six.Height.ShouldBe(6);

        var same = six.WithTip(six.Tip);
        same.SharesArrayWith(six).ShouldBeTrue("the same tip again changes no slot");
        same.Height.ShouldBe(6);
    }
}
