using ChainCore.Core.Primitives;

namespace ChainCore.Core.Consensus;

/// <summary>
/// Inputs whose signature already verified, as Bitcoin's signature cache: a transaction checked on
/// entry to the mempool is not checked again when its block connects. The key is the txid, which
/// here covers the signatures and public keys (it hashes the full serialization), and the input
/// index: the signature hash depends on nothing else, so an entry can never vouch for different
/// bytes. Bounded (the oldest entries leave first), thread-safe; one per node, never shared.
/// </summary>
public sealed class SignatureCache
{
    /// <summary>About 20 MB when full (memory grows with use): the inputs of a full mempool several times over.</summary>
    public const int DefaultCapacity = 200_000;

    private readonly Lock _lock = new();
    private readonly HashSet<Entry> _entries = [];
    private readonly Queue<Entry> _order = new();

    public SignatureCache(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    public int Capacity { get; }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Whether input <paramref name="inputIndex"/> of the transaction <paramref name="txId"/> is known to carry a valid signature.</summary>
    public bool Contains(Hash256 txId, int inputIndex)
    {
        lock (_lock)
        {
            return _entries.Contains(new Entry(txId, inputIndex));
        }
    }

    /// <summary>Records a verified input; when full, the oldest entry makes room.</summary>
    public void Add(Hash256 txId, int inputIndex)
    {
        var entry = new Entry(txId, inputIndex);
        lock (_lock)
        {
            if (!_entries.Add(entry))
            {
                return;
            }

            _order.Enqueue(entry);
            if (_entries.Count > Capacity)
            {
                _entries.Remove(_order.Dequeue());
            }
        }
    }

    private readonly record struct Entry(Hash256 TxId, int InputIndex);
}
