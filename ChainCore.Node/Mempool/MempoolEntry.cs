using System.Collections.Immutable;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;

namespace ChainCore.Node.Mempool;

/// <summary>A validated unconfirmed transaction with the coins it spends (resolved when it was accepted).</summary>
public sealed record MempoolEntry(Transaction Transaction, Amount Fee, ImmutableArray<SpentCoin> SpentCoins, DateTimeOffset Received, long Sequence)
{
    public Hash256 TxId => Transaction.TxId;

    public int Size => Transaction.SerializedSize;

    /// <summary>Fee in units per 1,000 bytes, integer arithmetic.</summary>
    public long FeeRatePerKb => Fee.Units * 1000 / Math.Max(1, Size);
}
