using ChainCore.Core.Primitives;

namespace ChainCore.Node.Mempool;

/// <summary>
/// An entry's in-mempool relatives as Bitcoin's <c>CTxMemPoolEntry</c> keeps them: the entry with all
/// its unconfirmed ancestors, and the entry with all its in-mempool descendants (counts, bytes, fees).
/// </summary>
public readonly record struct MempoolPackageState(
    int AncestorCount,
    long AncestorSize,
    Amount AncestorFees,
    int DescendantCount,
    long DescendantSize,
    Amount DescendantFees);
