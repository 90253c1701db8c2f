namespace ChainCore.Node.Mempool;

/// <summary>
/// Mempool policy on unconfirmed chains, Bitcoin's defaults: a transaction counts itself among its
/// ancestors, and an ancestor counts itself among its descendants. They bound the work of every
/// package walk (admission, eviction, template selection) and keep every package minable in one block.
/// And what an eviction for room costs the next candidate (<see cref="IncrementalRelayFeePerKb"/>).
/// </summary>
public sealed record MempoolLimits
{
    public static MempoolLimits Default { get; } = new();

    /// <summary>Largest transaction the mempool takes (consensus allows up to a whole block).</summary>
    public int MaxTransactionBytes { get; init; } = 100_000;

    public int MaxAncestors { get; init; } = 25;

    public long MaxAncestorBytes { get; init; } = 101_000;

    public int MaxDescendants { get; init; } = 25;

    public long MaxDescendantBytes { get; init; } = 101_000;

    /// <summary>
    /// Bitcoin's incremental relay fee rate, units per 1,000 bytes: after a package is evicted for room,
    /// the pool's minimum fee rate is that package's fee rate plus this.
    /// </summary>
    public long IncrementalRelayFeePerKb { get; init; } = 1_000;
}
