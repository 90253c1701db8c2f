using System.Collections.Immutable;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;
using ChainCore.Node.Storage;

namespace ChainCore.Node.Mempool;

/// <summary>
/// Mempool acceptance, as Bitcoin Core's <c>MemPoolAccept</c>: consensus checks against the tip's
/// UTXO set and earlier mempool transactions, then this node's policy: positive outputs, size, the
/// minimum relay fee and the pool's rolling minimum fee here; ancestor and descendant limits and room in the pool by
/// <see cref="TransactionPool.TryAdd(MempoolEntry, out IReadOnlyList{Hash256})"/>. Runs under the
/// engine's one writer, so the tip does not move during a check.
/// </summary>
public sealed class MempoolAcceptor(ChainState chain, TransactionPool pool, IChainStore store, TimeProvider clock, long minRelayFeePerKb, SignatureVerifier signatures)
{
    /// <summary>The smallest fee rate this node relays, units per 1,000 bytes.</summary>
    public long MinRelayFeePerKb => minRelayFeePerKb;

    /// <summary>
    /// The smallest fee rate a transaction needs to enter now, units per 1,000 bytes: the minimum relay
    /// fee rate or the pool's rolling minimum (<see cref="TransactionPool.MinimumFeePerKb"/>), whichever is higher.
    /// </summary>
    public long MinimumFeePerKb => Math.Max(minRelayFeePerKb, pool.MinimumFeePerKb);

    /// <summary>
    /// Writer only. <paramref name="fromDisconnectedBlock"/>: the transaction was confirmed in a block
    /// a reorg disconnected; consensus still applies, local policy does not (it was mined once), as
    /// Bitcoin's <c>bypass_limits</c>.
    /// <paramref name="wasPooled"/>: the transaction was in the mempool when a reorg took everything
    /// out to check it again; it met the fees in force when it came, so a rolling minimum that rose
    /// since does not put it out (as Bitcoin, which keeps such transactions through a reorg).
    /// What the pool evicted to make room is added to <paramref name="evicted"/>.
    /// </summary>
    internal async Task<TransactionResult> AcceptAsync(Transaction tx, bool fromDisconnectedBlock, List<Hash256> evicted, CancellationToken ct, bool wasPooled = false)
    {
        var txId = tx.TxId;
        TransactionResult Refuse(ValidationResult reason) => new(txId, reason, Amount.Zero);
        var p = chain.Params;

        if (tx.IsCoinbase)
        {
            return Refuse(ValidationResult.Invalid(RejectCodes.UnexpectedCoinbase, "A coinbase is only valid in a block."));
        }

        var check = TransactionValidator.CheckTransaction(tx, p);
        if (!check.IsValid)
        {
            return Refuse(check);
        }

        if (!fromDisconnectedBlock)
        {
            if (tx.SerializedSize > pool.Limits.MaxTransactionBytes)
            {
                return Refuse(ValidationResult.Policy(RejectCodes.TxSize, $"The transaction is {tx.SerializedSize} bytes; this node relays at most {pool.Limits.MaxTransactionBytes}."));
            }

            foreach (var output in tx.Outputs)
            {
                if (output.Value.Units <= 0)
                {
                    return Refuse(ValidationResult.Policy(RejectCodes.OutputNotPositive, $"Output value {output.Value} is not positive; this node relays only positive outputs."));
                }
            }
        }

        if (pool.Contains(txId) || await store.GetTransactionAsync(txId, ct) is not null)
        {
            return Refuse(ValidationResult.Duplicate(RejectCodes.AlreadyKnown, "The transaction is already known."));
        }

        foreach (var input in tx.Inputs)
        {
            if (pool.GetSpender(input.PreviousOutput) is { } spender)
            {
                return Refuse(ValidationResult.Conflict(RejectCodes.DoubleSpend, $"Output {input.PreviousOutput} is already spent by {spender} in the mempool."));
            }
        }

        var spendHeight = chain.WriterTip.Height + 1;
        var coins = new Dictionary<OutPoint, Coin>();
        var fromStore = new List<OutPoint>();
        foreach (var input in tx.Inputs)
        {
            if (pool.GetOutput(input.PreviousOutput) is { } unconfirmed)
            {
                coins[input.PreviousOutput] = new Coin(unconfirmed, spendHeight, IsCoinbase: false);
            }
            else
            {
                fromStore.Add(input.PreviousOutput);
            }
        }

        foreach (var (outPoint, coin) in await store.GetCoinsAsync(fromStore, ct))
        {
            coins[outPoint] = coin;
        }

        var inputs = TransactionValidator.CheckInputs(tx, new DictionaryUtxoView(coins), spendHeight, p, out var fee, signatures);
        if (!inputs.IsValid)
        {
            return Refuse(inputs);
        }

        if (!fromDisconnectedBlock)
        {
            var size = tx.SerializedSize;
            var minimumFee = FeeAt(minRelayFeePerKb, size);
            if (fee < minimumFee)
            {
                return Refuse(ValidationResult.Policy(RejectCodes.FeeTooLow, $"Fee {fee} is below the minimum relay fee {minimumFee} for {size} bytes."));
            }

            var poolMinimumPerKb = wasPooled ? 0 : pool.MinimumFeePerKb;
            var poolMinimumFee = FeeAt(poolMinimumPerKb, size);
            if (fee < poolMinimumFee)
            {
                return Refuse(ValidationResult.Policy(
                    RejectCodes.MempoolMinFeeNotMet,
                    $"Fee {fee} is below the mempool's minimum fee {poolMinimumFee} for {size} bytes: after evicting transactions for room it takes at least {poolMinimumPerKb} units per 1,000 bytes, above the minimum relay fee rate of {minRelayFeePerKb}."));
            }
        }

        var spent = tx.Inputs.Select(i => new SpentCoin(i.PreviousOutput, coins[i.PreviousOutput])).ToImmutableArray();
        var entry = new MempoolEntry(tx, fee, spent, clock.GetUtcNow(), pool.NextSequence()) { FromDisconnectedBlock = fromDisconnectedBlock };
        if (fromDisconnectedBlock)
        {
            pool.Add(entry);
        }
        else
        {
            var added = pool.TryAdd(entry, out var removed);
            if (!added.IsValid)
            {
                return Refuse(added);
            }

            evicted.AddRange(removed);
        }

        return new TransactionResult(txId, ValidationResult.Ok, fee);
    }

    /// <summary>The fee <paramref name="perKb"/> units per 1,000 bytes asks of <paramref name="size"/> bytes (rounded down, as the relay fee always was).</summary>
    private static Amount FeeAt(long perKb, int size)
    {
        var fee = (Int128)perKb * size / 1000;
        return new Amount(fee > long.MaxValue ? long.MaxValue : (long)fee);
    }
}
