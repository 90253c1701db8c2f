using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;

namespace ChainCore.Node.Mempool;

/// <summary>
/// Transactions a reorg left without their inputs, kept to be tried again after each later change of
/// the tip: those the reorg took out of the chain, and those that were waiting in the mempool. Bitcoin
/// drops them; we keep a few because a later reorg can bring their inputs back and make them valid
/// again, and nothing may ever send them again: the owners of confirmed ones saw them confirmed, so no
/// wallet resends them, and the peers that had them saw them confirmed or pooled already.
/// <para>
/// Peers can feed reorgs, so the pool is bounded by count and by bytes; the oldest of those never
/// mined leave first, then the oldest mined, and a transaction bigger than the whole byte bound is
/// not kept. An entry also leaves once a block of the chain confirms it or spends one of its inputs (it conflicts with the chain), and when a retry
/// accepts it or refuses it for anything but missing inputs (invalid, conflicting, already known).
/// Only transactions refused for missing inputs come in. A transaction that was never mined is
/// retried under the node's policy, as it was first accepted; one that was mined, without it.
/// Writer only (no lock of its own).
/// </para>
/// </summary>
internal sealed class ReorgOrphanPool(int maxTransactions = ReorgOrphanPool.DefaultMaxTransactions, long maxBytes = ReorgOrphanPool.DefaultMaxBytes)
{
    /// <summary>As Bitcoin's orphan pool: enough for the transactions of the few blocks of an ordinary reorg.</summary>
    public const int DefaultMaxTransactions = 100;

    /// <summary>Four of the largest transactions the mempool relays (<see cref="MempoolLimits.MaxTransactionBytes"/>).</summary>
    public const long DefaultMaxBytes = 400_000;

    private readonly LinkedList<Transaction> _byAge = new();
    private readonly Dictionary<Hash256, (LinkedListNode<Transaction> Node, bool Mined)> _entries = [];
    private long _bytes;

    public int Count => _entries.Count;

    public long Bytes => _bytes;

    public bool Contains(Hash256 txId) => _entries.ContainsKey(txId);

    /// <summary>Whether <paramref name="txId"/> was confirmed in a block before the reorg (false: it was only pooled, or is not here).</summary>
    public bool WasMined(Hash256 txId) => _entries.TryGetValue(txId, out var entry) && entry.Mined;

    /// <summary>
    /// Keeps <paramref name="tx"/>, refused with <paramref name="refusal"/> after a reorg, if it was
    /// refused for missing inputs only; then drops entries until the pool is within its bounds: the
    /// oldest never mined first, then the oldest mined. <paramref name="mined"/>: it came from a
    /// disconnected block (or had, before an earlier reorg), rather than only from the mempool.
    /// Returns the transactions dropped (the new one too if it does not fit at all).
    /// </summary>
    public IReadOnlyList<Hash256> Keep(Transaction tx, ValidationResult refusal, bool mined = true)
    {
        ArgumentNullException.ThrowIfNull(tx);
        if (refusal.Category != ValidationCategory.MissingInputs || _entries.ContainsKey(tx.TxId))
        {
            return [];
        }

        if (tx.SerializedSize > maxBytes)
        {
            return [tx.TxId];
        }

        _entries[tx.TxId] = (_byAge.AddLast(tx), mined);
        _bytes += tx.SerializedSize;
        var dropped = new List<Hash256>();
        while (_entries.Count > maxTransactions || _bytes > maxBytes)
        {
            // Anyone can have transactions pooled that spend a block's outputs, and so crowd a reorg's
            // pool; a mined transaction's owner saw it confirmed and will not send it again, so it
            // leaves only when no transaction that was merely pooled is left to drop.
            var victim = _byAge.FirstOrDefault(t => !_entries[t.TxId].Mined) ?? _byAge.First!.Value;
            Remove(victim.TxId);
            dropped.Add(victim.TxId);
        }

        return dropped;
    }

    /// <summary>
    /// After a retry of <paramref name="tx"/>: it stays only if it was refused for missing inputs
    /// again. Returns whether it stays.
    /// </summary>
    public bool Settle(Transaction tx, TransactionResult result)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(result);
        if (!result.Accepted && result.Validation.Category == ValidationCategory.MissingInputs)
        {
            return _entries.ContainsKey(tx.TxId);
        }

        Remove(tx.TxId);
        return false;
    }

    public bool Remove(Hash256 txId)
    {
        if (!_entries.Remove(txId, out var entry))
        {
            return false;
        }

        _byAge.Remove(entry.Node);
        _bytes -= entry.Node.Value.SerializedSize;
        return true;
    }

    /// <summary>
    /// For a block now on the chain: drops the entries it confirms and those spending an output it
    /// spends (they conflict with the chain). Their descendants stay: a later reorg may confirm the
    /// parent. Returns what was dropped. Linear in the block's inputs and the pool's.
    /// </summary>
    public IReadOnlyList<Hash256> RemoveForBlock(Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (_entries.Count == 0)
        {
            return [];
        }

        var pooledInputs = _byAge.SelectMany(tx => tx.Inputs).Select(i => i.PreviousOutput).ToHashSet();
        var spentByBlock = new HashSet<OutPoint>();
        var leaving = new List<Hash256>();
        foreach (var tx in block.Transactions)
        {
            if (_entries.ContainsKey(tx.TxId))
            {
                leaving.Add(tx.TxId);
            }

            if (!tx.IsCoinbase)
            {
                spentByBlock.UnionWith(tx.Inputs.Select(i => i.PreviousOutput).Where(pooledInputs.Contains));
            }
        }

        if (spentByBlock.Count > 0)
        {
            leaving.AddRange(_byAge.Where(tx => tx.Inputs.Any(i => spentByBlock.Contains(i.PreviousOutput))).Select(tx => tx.TxId));
        }

        return [.. leaving.Where(Remove)];
    }

    /// <summary>The ids of the transactions whose outputs the entries spend (their parents, found or not).</summary>
    public HashSet<Hash256> ParentIds() => [.. _byAge.SelectMany(tx => tx.Inputs).Select(i => i.PreviousOutput.TxId)];

    /// <summary>
    /// Every entry, parents before children, otherwise oldest first: the order to retry them in, so
    /// a parent accepted back into the mempool is there when its child is tried.
    /// </summary>
    public IReadOnlyList<Transaction> InRetryOrder()
    {
        var order = new List<Transaction>(_entries.Count);
        var placed = new HashSet<Hash256>();
        var waiting = _byAge.ToList();
        while (waiting.Count > 0)
        {
            var before = order.Count;
            foreach (var tx in waiting)
            {
                if (tx.Inputs.All(i => placed.Contains(i.PreviousOutput.TxId) || !_entries.ContainsKey(i.PreviousOutput.TxId)))
                {
                    order.Add(tx);
                    placed.Add(tx.TxId);
                }
            }

            if (order.Count == before)
            {
                // Only a cycle of transaction ids could stop progress, and ids are hashes; never loop on it.
                order.AddRange(waiting);
                break;
            }

            waiting.RemoveAll(tx => placed.Contains(tx.TxId));
        }

        return order;
    }
}
