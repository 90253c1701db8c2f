using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;
using ChainCore.Tests.Fixtures;

namespace ChainCore.Tests.Harness;

/// <summary>Builds valid regtest blocks on any parent, so tests can grow side branches and stage reorgs.</summary>
public static class BlockFactory
{
    /// <summary>A solved block on <paramref name="parent"/> paying the subsidy plus <paramref name="fees"/> to <paramref name="payTo"/>.</summary>
    public static Block Next(BlockIndexEntry parent, ReadOnlySpan<byte> payTo, ConsensusParams p, IEnumerable<Transaction>? transactions = null, Amount? fees = null, byte extraNonce = 0) =>
        Next(parent.Hash, parent.Height, parent.Header.Time, parent.Header.Bits, payTo, p, transactions, fees, extraNonce);

    public static Block Next(Block parent, int parentHeight, ReadOnlySpan<byte> payTo, ConsensusParams p, IEnumerable<Transaction>? transactions = null, Amount? fees = null, byte extraNonce = 0) =>
        Next(parent.Hash, parentHeight, parent.Header.Time, parent.Header.Bits, payTo, p, transactions, fees, extraNonce);

    private static Block Next(Hash256 parentHash, int parentHeight, uint parentTime, uint bits, ReadOnlySpan<byte> payTo, ConsensusParams p, IEnumerable<Transaction>? transactions, Amount? fees, byte extraNonce)
    {
        if (bits != p.PowLimitBits)
        {
            throw new ArgumentException("Test blocks are mined at the network's pow limit.", nameof(bits));
        }

        var height = parentHeight + 1;
        return TestData.MineBlock(parentHash, height, parentTime + 1, transactions ?? [], Subsidy.ForHeight(height, p) + (fees ?? Amount.Zero), p, payTo.ToArray(), extraNonce);
    }

    /// <summary>A chain of <paramref name="count"/> empty blocks on <paramref name="parent"/>.</summary>
    public static IReadOnlyList<Block> Branch(BlockIndexEntry parent, int count, ReadOnlySpan<byte> payTo, ConsensusParams p, byte extraNonce = 0)
    {
        var blocks = new List<Block>(count);
        var previous = Next(parent, payTo, p, extraNonce: extraNonce);
        blocks.Add(previous);
        for (var i = 1; i < count; i++)
        {
            previous = Next(previous, parent.Height + i, payTo, p, extraNonce: extraNonce);
            blocks.Add(previous);
        }

        return blocks;
    }
}
