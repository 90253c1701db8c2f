using ChainCore.Core.Primitives;

namespace ChainCore.Core.Consensus;

/// <summary>
/// Checks input signatures for the validators: a transaction's one by one, a block's in parallel
/// across cores. With a <see cref="SignatureCache"/>, transaction checks (mempool entry) fill it and
/// block checks skip the inputs found there. Whatever the scheduling, a block's result is that of
/// its first failing input in block order.
/// </summary>
public sealed class SignatureVerifier
{
    /// <summary>Below this many inputs to verify, a block's signatures are checked on the calling thread.</summary>
    public const int ParallelThreshold = 16;

    private readonly int _maxDegreeOfParallelism;

    /// <param name="cache">The node's cache, or null to verify every signature every time.</param>
    /// <param name="maxDegreeOfParallelism">Threads for a block's signatures; by default one per core.</param>
    public SignatureVerifier(SignatureCache? cache = null, int? maxDegreeOfParallelism = null)
    {
        if (maxDegreeOfParallelism is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDegreeOfParallelism), "At least one thread.");
        }

        Cache = cache;
        _maxDegreeOfParallelism = maxDegreeOfParallelism ?? Environment.ProcessorCount;
    }

    /// <summary>Verifies everything, caches nothing, uses every core: what validators use when given no verifier.</summary>
    public static SignatureVerifier Default { get; } = new();

    public SignatureCache? Cache { get; }

    /// <summary>Every input of one transaction, in order; each verified input is remembered.</summary>
    public ValidationResult CheckTransaction(Transaction tx)
    {
        ArgumentNullException.ThrowIfNull(tx);
        for (var i = 0; i < tx.Inputs.Length; i++)
        {
            if (Cache?.Contains(tx.TxId, i) == true)
            {
                continue;
            }

            var result = TransactionValidator.CheckSignature(tx, i);
            if (!result.IsValid)
            {
                return result;
            }

            Cache?.Add(tx.TxId, i);
        }

        return ValidationResult.Ok;
    }

    /// <summary>
    /// Every input of the block's non-coinbase transactions, skipping those in the cache, in
    /// parallel when there are enough. Adds nothing to the cache: a connected block's transactions
    /// are not checked again. <paramref name="ct"/> stops the work early when its result is no
    /// longer wanted (then <see cref="OperationCanceledException"/>).
    /// </summary>
    public ValidationResult CheckBlock(Block block, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(block);
        var pending = new List<(Transaction Tx, int Input)>();
        foreach (var tx in block.Transactions.AsSpan()[1..])
        {
            for (var i = 0; i < tx.Inputs.Length; i++)
            {
                if (Cache?.Contains(tx.TxId, i) != true)
                {
                    pending.Add((tx, i));
                }
            }
        }

        var firstFailure = FirstFailure(pending, ct);
        if (firstFailure < 0)
        {
            return ValidationResult.Ok;
        }

        var (failedTx, failedInput) = pending[firstFailure];
        var result = TransactionValidator.CheckSignature(failedTx, failedInput);
        return result with { Message = $"{failedTx.TxId}: {result.Message}" };
    }

    /// <summary>Index of the first check that fails, or −1. Workers skip checks past a failure already found, never before it.</summary>
    private int FirstFailure(List<(Transaction Tx, int Input)> checks, CancellationToken ct)
    {
        if (checks.Count < ParallelThreshold || _maxDegreeOfParallelism == 1)
        {
            for (var i = 0; i < checks.Count; i++)
            {
                ct.ThrowIfCancellationRequested();
                if (!TransactionValidator.CheckSignature(checks[i].Tx, checks[i].Input).IsValid)
                {
                    return i;
                }
            }

            return -1;
        }

        var first = int.MaxValue;
        var workers = Math.Min(_maxDegreeOfParallelism, checks.Count);
        var chunk = Math.Max(8, checks.Count / (workers * 8));
        var next = -chunk;
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, _ =>
        {
            while (true)
            {
                var start = Interlocked.Add(ref next, chunk);
                if (start >= checks.Count || start > Volatile.Read(ref first) || ct.IsCancellationRequested)
                {
                    return;
                }

                for (var i = start; i < Math.Min(start + chunk, checks.Count); i++)
                {
                    if (i > Volatile.Read(ref first))
                    {
                        return;
                    }

                    if (!TransactionValidator.CheckSignature(checks[i].Tx, checks[i].Input).IsValid)
                    {
                        InterlockedMin(ref first, i);
                        return;
                    }
                }
            }
        });
        ct.ThrowIfCancellationRequested();
        return first == int.MaxValue ? -1 : first;
    }

    private static void InterlockedMin(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value < current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
