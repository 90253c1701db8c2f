using ChainCore.Core.Primitives;

namespace ChainCore.Node.Mempool;

/// <summary>
/// The mempool as its readers see it (the API, the address service): what is pooled and which
/// outpoint each spends. Only the engine changes the pool; readers get this view from the container.
/// </summary>
public interface IMempoolView
{
    int Count { get; }

    int Bytes { get; }

    bool Contains(Hash256 txId);

    MempoolEntry? Get(Hash256 txId);

    /// <summary>The pooled transaction spending <paramref name="outPoint"/>, if any.</summary>
    Hash256? GetSpender(OutPoint outPoint);

    /// <summary>Every pooled entry, oldest first.</summary>
    IReadOnlyList<MempoolEntry> Snapshot();
}
