using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;

namespace ChainCore.Tests.Unit.Chain;

/// <summary>
/// The active chain's views: an empty one has no tip, and a view built from an older one — a branch
/// off it after a longer view was built from it — never changes the longer view, which shares its array.
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
}
