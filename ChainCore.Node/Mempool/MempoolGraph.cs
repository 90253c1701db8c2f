using ChainCore.Core.Primitives;

namespace ChainCore.Node.Mempool;

/// <summary>
/// The pool's entries as they were at one moment, with their in-mempool parents and children and
/// each entry's ancestor package (count, bytes, fees, itself included): copied under the pool's lock
/// by <see cref="TransactionPool.Graph"/>, then read without it (block package selection).
/// </summary>
public sealed class MempoolGraph
{
    internal MempoolGraph(Node[] nodes) => Nodes = nodes;

    public static MempoolGraph Empty { get; } = new([]);

    public int Count => Nodes.Length;

    internal Node[] Nodes { get; }

    /// <summary>One entry; parents and children are indexes into <see cref="Nodes"/>.</summary>
    internal sealed class Node(MempoolEntry entry, int ancestorCount, long ancestorSize, long ancestorFees, int[] parents, int[] children)
    {
        public MempoolEntry Entry { get; } = entry;

        public Hash256 TxId { get; } = entry.TxId;

        public long Sequence => Entry.Sequence;

        public int Size { get; } = entry.Size;

        public long Fee { get; } = entry.Fee.Units;

        public int AncestorCount { get; } = ancestorCount;

        public long AncestorSize { get; } = ancestorSize;

        public long AncestorFees { get; } = ancestorFees;

        public int[] Parents { get; } = parents;

        public int[] Children { get; } = children;

        /// <summary>Bitcoin's ancestor score: the worse of the entry's own fee rate and its ancestor package's.</summary>
        public FeeRate AncestorScore(long fees, long size) => FeeRate.Min(new FeeRate(Fee, Size), new FeeRate(fees, size));
    }
}
