using ChainCore.Core.Primitives;

namespace ChainCore.Node.Mempool;

/// <summary>
/// The mempool's data: unconfirmed transactions, which outpoint each spends, and their outputs.
/// Validation happens in <see cref="Chain.ChainEngine"/> under its writer lock; this class keeps the
/// collections consistent and answers readers under a short lock of its own.
/// </summary>
public sealed class TransactionPool(int maxTransactions, int maxBytes)
{
    private readonly Lock _sync = new();
    private readonly Dictionary<Hash256, MempoolEntry> _entries = [];
    private readonly Dictionary<OutPoint, Hash256> _spenders = [];
    private long _sequence;
    private int _bytes;

    public int Count
    {
        get { lock (_sync) { return _entries.Count; } }
    }

    public int Bytes
    {
        get { lock (_sync) { return _bytes; } }
    }

    public bool Contains(Hash256 txId)
    {
        lock (_sync)
        {
            return _entries.ContainsKey(txId);
        }
    }

    public MempoolEntry? Get(Hash256 txId)
    {
        lock (_sync)
        {
            return _entries.GetValueOrDefault(txId);
        }
    }

    /// <summary>The pooled transaction spending <paramref name="outPoint"/>, if any.</summary>
    public Hash256? GetSpender(OutPoint outPoint)
    {
        lock (_sync)
        {
            return _spenders.TryGetValue(outPoint, out var spender) ? spender : null;
        }
    }

    /// <summary>An output created by a pooled transaction.</summary>
    public TxOut? GetOutput(OutPoint outPoint)
    {
        lock (_sync)
        {
            return _entries.TryGetValue(outPoint.TxId, out var entry) && outPoint.Index < entry.Transaction.Outputs.Length
                ? entry.Transaction.Outputs[(int)outPoint.Index]
                : null;
        }
    }

    public IReadOnlyList<MempoolEntry> Snapshot()
    {
        lock (_sync)
        {
            return [.. _entries.Values.OrderBy(e => e.Sequence)];
        }
    }

    public long NextSequence() => Interlocked.Increment(ref _sequence);

    /// <summary>Whether an entry of this size and fee rate fits, evicting cheaper transactions if needed; false if it cannot.</summary>
    public bool MakeRoomFor(MempoolEntry candidate)
    {
        lock (_sync)
        {
            while (_entries.Count + 1 > maxTransactions || _bytes + candidate.Size > maxBytes)
            {
                var cheapest = _entries.Values.OrderBy(e => e.FeeRatePerKb).ThenByDescending(e => e.Sequence).FirstOrDefault();
                if (cheapest is null || cheapest.FeeRatePerKb >= candidate.FeeRatePerKb)
                {
                    return false;
                }

                RemoveWithDescendants(cheapest.TxId);
            }

            return true;
        }
    }

    public void Add(MempoolEntry entry)
    {
        lock (_sync)
        {
            _entries.Add(entry.TxId, entry);
            _bytes += entry.Size;
            foreach (var input in entry.Transaction.Inputs)
            {
                _spenders[input.PreviousOutput] = entry.TxId;
            }
        }
    }

    /// <summary>Removes what a newly connected block confirmed, and everything that now conflicts with it.</summary>
    public IReadOnlyList<Hash256> RemoveForBlock(Block block)
    {
        var removed = new List<Hash256>();
        lock (_sync)
        {
            foreach (var tx in block.Transactions)
            {
                if (RemoveOne(tx.TxId))
                {
                    removed.Add(tx.TxId);
                }
            }

            foreach (var tx in block.Transactions.Where(t => !t.IsCoinbase))
            {
                foreach (var input in tx.Inputs)
                {
                    if (_spenders.TryGetValue(input.PreviousOutput, out var conflict))
                    {
                        removed.AddRange(RemoveWithDescendants(conflict));
                    }
                }
            }
        }

        return removed;
    }

    public IReadOnlyList<Hash256> RemoveWithDescendants(Hash256 txId)
    {
        lock (_sync)
        {
            var removed = new List<Hash256>();
            var queue = new Queue<Hash256>([txId]);
            while (queue.TryDequeue(out var next))
            {
                if (!_entries.TryGetValue(next, out var entry))
                {
                    continue;
                }

                for (var i = 0; i < entry.Transaction.Outputs.Length; i++)
                {
                    if (_spenders.TryGetValue(new OutPoint(next, (uint)i), out var child))
                    {
                        queue.Enqueue(child);
                    }
                }

                RemoveOne(next);
                removed.Add(next);
            }

            return removed;
        }
    }

    /// <summary>
    /// Transactions for a block template: highest fee rate first, a child never before its parent,
    /// within <paramref name="maxBytes"/>.
    /// </summary>
    public IReadOnlyList<MempoolEntry> SelectForBlock(int maxBytes)
    {
        lock (_sync)
        {
            var selected = new List<MempoolEntry>();
            var included = new HashSet<Hash256>();
            var remaining = _entries.Values.OrderByDescending(e => e.FeeRatePerKb).ThenBy(e => e.Sequence).ToList();
            var bytes = 0;
            bool progress;
            do
            {
                // One pass in fee-rate order; a child whose parent is not in yet waits for the next pass.
                progress = false;
                var deferred = new List<MempoolEntry>();
                foreach (var entry in remaining)
                {
                    var parentsReady = entry.Transaction.Inputs.All(input =>
                        !_entries.ContainsKey(input.PreviousOutput.TxId) || included.Contains(input.PreviousOutput.TxId));
                    if (!parentsReady)
                    {
                        deferred.Add(entry);
                        continue;
                    }

                    if (bytes + entry.Size > maxBytes)
                    {
                        continue;
                    }

                    selected.Add(entry);
                    included.Add(entry.TxId);
                    bytes += entry.Size;
                    progress = true;
                }

                remaining = deferred;
            }
            while (progress && remaining.Count > 0);

            return selected;
        }
    }

    private bool RemoveOne(Hash256 txId)
    {
        if (!_entries.Remove(txId, out var entry))
        {
            return false;
        }

        _bytes -= entry.Size;
        foreach (var input in entry.Transaction.Inputs)
        {
            if (_spenders.TryGetValue(input.PreviousOutput, out var spender) && spender == txId)
            {
                _spenders.Remove(input.PreviousOutput);
            }
        }

        return true;
    }
}
