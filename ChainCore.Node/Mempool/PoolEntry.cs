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

    /// <summary>Its place in the current template selection's initial order (scratch, under the pool's lock).</summary>
    public int SelectionRank { get; set; }

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

/// <summary>Fees over bytes, compared exactly (cross-multiplied in 128 bits, never through floating point).</summary>
internal readonly record struct FeeRate(long Fees, long Size) : IComparable<FeeRate>
{
    public int CompareTo(FeeRate other) => Math.BigMul(Fees, other.Size).CompareTo(Math.BigMul(other.Fees, Size));

    public static FeeRate Max(FeeRate a, FeeRate b) => a.CompareTo(b) >= 0 ? a : b;

    public static FeeRate Min(FeeRate a, FeeRate b) => a.CompareTo(b) <= 0 ? a : b;

    public static bool operator <(FeeRate a, FeeRate b) => a.CompareTo(b) < 0;

    public static bool operator >(FeeRate a, FeeRate b) => a.CompareTo(b) > 0;

    public static bool operator <=(FeeRate a, FeeRate b) => a.CompareTo(b) <= 0;

    public static bool operator >=(FeeRate a, FeeRate b) => a.CompareTo(b) >= 0;

    /// <summary>Units per 1,000 bytes, rounded down, for messages.</summary>
    public long PerKb => Size == 0 ? 0 : (long)((Int128)Fees * 1000 / Size);
}
