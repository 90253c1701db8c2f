using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;
using ChainCore.Node.Network;

namespace ChainCore.Tests.Unit.Network;

[TestFixture, Category("Unit"), Category("Network")]
public sealed class BlockLocatorTests
{
    [TestCase(0, 1)]
    [TestCase(5, 6)]
    [TestCase(10, 11)]
    [TestCase(100, 16)]
    [TestCase(20_000, 24)]
    public void Locator_names_the_tip_the_ten_blocks_below_then_exponentially_fewer_and_genesis(int height, int expectedCount)
    {
        var chain = Chain(height, out _);

        var locator = BlockLocator.Build(chain);

        locator.Count.ShouldBe(expectedCount);
        locator[0].ShouldBe(chain.Tip.Hash);
        locator[^1].ShouldBe(chain[0]!.Hash);
        locator.Count.ShouldBeLessThanOrEqualTo(BlockLocator.MaxEntries);
        var heights = locator.Select(h => Enumerable.Range(0, height + 1).First(i => chain[i]!.Hash == h)).ToList();
        heights.ShouldBeInOrder(SortDirection.Descending);
        heights.Take(Math.Min(10, heights.Count)).ShouldBe(Enumerable.Range(0, Math.Min(10, heights.Count)).Select(i => Math.Max(0, height - i)));
    }

    [Test]
    public void Fork_point_is_the_first_locator_block_on_the_best_chain_and_genesis_when_none_is()
    {
        var chain = Chain(50, out var byHash);
        var stranger = new Hash256(Enumerable.Repeat((byte)7, 32).ToArray());

        BlockLocator.FindFork(chain, [stranger, chain[30]!.Hash, chain[20]!.Hash], byHash.GetValueOrDefault).ShouldBe(chain[30]);
        BlockLocator.FindFork(chain, [stranger], byHash.GetValueOrDefault).ShouldBe(chain[0]);
        BlockLocator.FindFork(chain, [], byHash.GetValueOrDefault).ShouldBe(chain[0]);
    }

    [Test]
    public void Headers_after_the_fork_are_oldest_first_and_capped()
    {
        var chain = Chain(50, out _);

        BlockLocator.HeadersAfter(chain, chain[45]!).Select(h => h.Time).ShouldBe([46u, 47u, 48u, 49u, 50u]);
        BlockLocator.HeadersAfter(chain, chain[0]!, max: 3).Count.ShouldBe(3);
        BlockLocator.HeadersAfter(chain, chain.Tip).ShouldBeEmpty();
    }

    /// <summary>A chain of index entries whose header time is the height (hashes need not be real here).</summary>
    internal static ActiveChain Chain(int height, out Dictionary<Hash256, BlockIndexEntry> byHash)
    {
        byHash = [];
        BlockIndexEntry? entry = null;
        for (var h = 0; h <= height; h++)
        {
            var bytes = new byte[32];
            BitConverter.TryWriteBytes(bytes, h + 1);
            var header = new BlockHeader(1, entry?.Hash ?? default, default, (uint)h, ConsensusParams.Regtest.PowLimitBits, 0);
            entry = new BlockIndexEntry(header, new Hash256(bytes), entry, h);
            byHash[entry.Hash] = entry;
        }

        return ActiveChain.Empty.WithTip(entry!);
    }
}
