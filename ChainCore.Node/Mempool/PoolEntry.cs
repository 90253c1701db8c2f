using ChainCore.Core.Primitives;

namespace ChainCore.Node.Mempool;

/// <summary>
/// A pooled transaction with its links to in-mempool parents and children and its cached package
/// state. Owned by <see cref="TransactionPool"/> and changed only under its lock.
/// </summary>
internal sealed class PoolEntry(MempoolEntry entry)
{
    public MempoolEntry Entry { get; } = entry;

    public Hash256 TxId { get; } = entry.TxId;

    public int Size { get; } = entry.Size;

    public long Fee { get; } = entry.Fee.Units;

    public long Sequence => Entry.Sequence;

    /// <summary>In-mempool transactions whose outputs this one spends.</summary>
    public HashSet<PoolEntry> Parents { get; } = [];

    /// <summary>In-mempool transactions spending this one's outputs.</summary>
    public HashSet<PoolEntry> Children { get; } = [];

    // Including this entry itself, as Bitcoin counts.
    public int AncestorCount { get; set; } = 1;

    public long AncestorSize { get; set; } = entry.Size;

    public long AncestorFees { get; set; } = entry.Fee.Units;

    public int DescendantCount { get; set; } = 1;

    public long DescendantSize { get; set; } = entry.Size;

    public long DescendantFees { get; set; } = entry.Fee.Units;

    /// <summary>Its index in the graph being copied (scratch, under the pool's lock; see <see cref="TransactionPool.Graph"/>).</summary>
    public int GraphIndex { get; set; }

    /// <summary>The eviction key this entry is filed under in the pool's eviction index.</summary>
    public FeeRate EvictionScore { get; set; }

    public MempoolPackageState State => new(
        AncestorCount, AncestorSize, new Amount(AncestorFees), DescendantCount, DescendantSize, new Amount(DescendantFees));

    /// <summary>Bitcoin's descendant score: the better of the entry's own fee rate and its descendant package's.</summary>
    public FeeRate DescendantScore(long descendantFees, long descendantSize) =>
        FeeRate.Max(new FeeRate(Fee, Size), new FeeRate(descendantFees, descendantSize));

    /// <summary>Bitcoin's ancestor score: the worse of the entry's own fee rate and its ancestor package's.</summary>
    public FeeRate AncestorScore(long ancestorFees, long ancestorSize) =>
        FeeRate.Min(new FeeRate(Fee, Size), new FeeRate(ancestorFees, ancestorSize));

    public override string ToString() => TxId.ToString();
}
