using System.Collections.Immutable;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;

namespace ChainCore.Node.Mempool;

/// <summary>A validated unconfirmed transaction with the coins it spends (resolved when it was accepted).</summary>
public sealed record MempoolEntry(Transaction Transaction, Amount Fee, ImmutableArray<SpentCoin> SpentCoins, DateTimeOffset Received, long Sequence)
{
    public Hash256 TxId => Transaction.TxId;

    /// <summary>
    /// Came back from a block a reorg disconnected: it was confirmed once, so local policy does not
    /// apply to it again, also when a later reorg takes its inputs away and it waits for them (see
    /// <see cref="ReorgOrphanPool"/>).
    /// </summary>
    public bool FromDisconnectedBlock { get; init; }

    public int Size => Transaction.SerializedSize;

    /// <summary>Fee in units per 1,000 bytes, integer arithmetic.</summary>
    public long FeeRatePerKb => Fee.Units * 1000 / Math.Max(1, Size);
}
