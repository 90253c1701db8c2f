using System.Numerics;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;

namespace ChainCore.Node.Chain;

/// <summary>
/// One known block in the in-memory tree: its header, parent, height, cumulative work, a skip
/// pointer to a farther ancestor (Bitcoin's <c>pskip</c>, so <see cref="GetAncestor"/> is O(log n))
/// and its children (so marking a branch invalid visits only that branch).
/// </summary>
public sealed class BlockIndexEntry
{
    private readonly List<BlockIndexEntry> _children = [];

    public BlockIndexEntry(BlockHeader header, Hash256 hash, BlockIndexEntry? parent, long sequence)
    {
        Header = header;
        Hash = hash;
        Parent = parent;
        Height = parent is null ? 0 : parent.Height + 1;
        ChainWork = (parent?.ChainWork ?? BigInteger.Zero) + Target.GetBlockWork(header.Bits);
        Sequence = sequence;
        Skip = parent?.GetAncestor(GetSkipHeight(Height));
    }

    public BlockHeader Header { get; }

    public Hash256 Hash { get; }

    public BlockIndexEntry? Parent { get; }

    /// <summary>An ancestor farther back than the parent, chosen so any ancestor is reached in O(log n) hops.</summary>
    public BlockIndexEntry? Skip { get; }

    public int Height { get; }

    public BigInteger ChainWork { get; }

    /// <summary>Order in which this node first saw the block: the tie-break between branches of equal work.</summary>
    public long Sequence { get; }

    /// <summary>Set once the block, or one of its ancestors, failed validation.</summary>
    public string? InvalidReason { get; internal set; }

    public bool IsInvalid => InvalidReason is not null;

    /// <summary>Known children; changed only by the chain's writer.</summary>
    internal IReadOnlyList<BlockIndexEntry> Children => _children;

    internal void AddChild(BlockIndexEntry child) => _children.Add(child);

    /// <summary>The ancestor at <paramref name="height"/> (this entry at its own height), following skip pointers.</summary>
    public BlockIndexEntry? GetAncestor(int height) => GetAncestor(height, out _);

    /// <summary>As <see cref="GetAncestor(int)"/>; <paramref name="hops"/>: the skip and parent links it followed, O(log n).</summary>
    internal BlockIndexEntry? GetAncestor(int height, out int hops)
    {
        hops = 0;
        if (height > Height || height < 0)
        {
            return null;
        }

        var walk = this;
        var heightWalk = Height;
        while (heightWalk > height)
        {
            var heightSkip = GetSkipHeight(heightWalk);
            var heightSkipPrev = GetSkipHeight(heightWalk - 1);
            if (walk.Skip is not null &&
                (heightSkip == height || (heightSkip > height && !(heightSkipPrev < heightSkip - 2 && heightSkipPrev >= height))))
            {
                // Only follow the skip if the parent's skip is not better.
                walk = walk.Skip;
                heightWalk = heightSkip;
            }
            else
            {
                walk = walk.Parent!;
                heightWalk--;
            }

            hops++;
        }

        return walk;
    }

    /// <summary>Bitcoin's <c>GetSkipHeight</c>: a height below <paramref name="height"/> that makes skip lists logarithmic.</summary>
    internal static int GetSkipHeight(int height)
    {
        if (height < 2)
        {
            return 0;
        }

        // Clear the lowest set bit; for odd heights clear the one above it too, then step once.
        return (height & 1) != 0 ? InvertLowestOne(InvertLowestOne(height - 1)) + 1 : InvertLowestOne(height);
    }

    private static int InvertLowestOne(int n) => n & (n - 1);

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

    /// <summary>Whether <paramref name="ancestor"/> is this entry or one of its ancestors.</summary>
    public bool Descends(BlockIndexEntry ancestor) => GetAncestor(ancestor.Height) == ancestor;

    public override string ToString() => $"{Hash} @{Height}";

    /// <summary>The last common ancestor of two entries, in O(log n).</summary>
    public static BlockIndexEntry FindFork(BlockIndexEntry a, BlockIndexEntry b) => FindFork(a, b, out _);

    /// <summary>As <see cref="FindFork(BlockIndexEntry, BlockIndexEntry)"/>; <paramref name="hops"/>: the links it followed, O(log n).</summary>
    internal static BlockIndexEntry FindFork(BlockIndexEntry a, BlockIndexEntry b, out int hops)
    {
        var levelling = 0;
        if (a.Height > b.Height)
        {
            a = a.GetAncestor(b.Height, out levelling)!;
        }
        else if (b.Height > a.Height)
        {
            b = b.GetAncestor(a.Height, out levelling)!;
        }

        hops = levelling;
        while (a != b)
        {
            // Jump with skip pointers while they land below the fork, then step.
            if (a.Skip is not null && b.Skip is not null && a.Skip != b.Skip)
            {
                a = a.Skip;
                b = b.Skip;
            }
            else
            {
                a = a.Parent!;
                b = b.Parent!;
            }

            hops++;
        }

        return a;
    }
}
