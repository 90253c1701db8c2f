using System.Numerics;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;

namespace ChainCore.Node.Chain;

/// <summary>One known block in the in-memory tree: its header, parent, height and cumulative work.</summary>
public sealed class BlockIndexEntry
{
    public BlockIndexEntry(BlockHeader header, Hash256 hash, BlockIndexEntry? parent, long sequence)
    {
        Header = header;
        Hash = hash;
        Parent = parent;
        Height = parent is null ? 0 : parent.Height + 1;
        ChainWork = (parent?.ChainWork ?? BigInteger.Zero) + Target.GetBlockWork(header.Bits);
        Sequence = sequence;
    }

    public BlockHeader Header { get; }

    public Hash256 Hash { get; }

    public BlockIndexEntry? Parent { get; }

    public int Height { get; }

    public BigInteger ChainWork { get; }

    /// <summary>Order in which this node first saw the block: the tie-break between branches of equal work.</summary>
    public long Sequence { get; }

    /// <summary>Set once the block, or one of its ancestors, failed validation.</summary>
    public string? InvalidReason { get; internal set; }

    public bool IsInvalid => InvalidReason is not null;

    public BlockIndexEntry? GetAncestor(int height)
    {
        if (height > Height || height < 0)
        {
            return null;
        }

        var entry = this;
        while (entry is not null && entry.Height > height)
        {
            entry = entry.Parent;
        }

        return entry;
    }

    /// <summary>Median of the times of this block and up to ten before it.</summary>
    public long MedianTimePast()
    {
        var times = new List<long>(Core.Consensus.MedianTimePast.Span);
        for (var entry = this; entry is not null && times.Count < Core.Consensus.MedianTimePast.Span; entry = entry.Parent)
        {
            times.Add(entry.Header.Time);
        }

        return Core.Consensus.MedianTimePast.Compute(times);
    }

    /// <summary>Whether this branch should replace <paramref name="other"/> as the best chain: more work, or equal work and seen first.</summary>
    public bool IsBetterThan(BlockIndexEntry other) =>
        ChainWork > other.ChainWork || (ChainWork == other.ChainWork && Sequence < other.Sequence);

    public override string ToString() => $"{Hash} @{Height}";

    public static BlockIndexEntry FindFork(BlockIndexEntry a, BlockIndexEntry b)
    {
        while (a.Height > b.Height)
        {
            a = a.Parent!;
        }

        while (b.Height > a.Height)
        {
            b = b.Parent!;
        }

        while (a != b)
        {
            a = a.Parent!;
            b = b.Parent!;
        }

        return a;
    }
}
