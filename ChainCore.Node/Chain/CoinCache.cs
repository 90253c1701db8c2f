using System.Runtime.InteropServices;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;

namespace ChainCore.Node.Chain;

/// <summary>
/// The newest coins of the committed UTXO set, kept in memory by the writer so connecting a block
/// rarely asks the store for the coins it spends (most coins are spent within a few blocks of
/// their creation; Bitcoin's coins cache serves the same purpose). The store stays the authority:
/// a coin here is unspent in the store's committed state; a coin missing here is simply asked for.
/// The writer changes it only after a store update committed (<see cref="Apply"/>) and clears it
/// when the store failed, so it never holds a coin a rolled-back or doubtful update created.
/// Bounded by count; the oldest coins go first.
/// </summary>
internal sealed class CoinCache
{
    private readonly int _capacity;
    private readonly Dictionary<OutPoint, Coin> _coins = [];
    private readonly Queue<OutPoint> _order = new();

    public CoinCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _capacity = capacity;
    }

    public int Count => _coins.Count;

    /// <summary>Outpoints queued for eviction, spent ones included until they are dropped: bounded as well.</summary>
    internal int Tracked => _order.Count;

    public bool TryGet(OutPoint outPoint, out Coin coin) => _coins.TryGetValue(outPoint, out coin!);

    /// <summary>
    /// Applies a committed update's changes: each outpoint's coin as the update left it, null for
    /// spent (or no longer existing).
    /// </summary>
    public void Apply(IReadOnlyDictionary<OutPoint, Coin?> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        foreach (var (outPoint, coin) in changes)
        {
            if (coin is null)
            {
                _coins.Remove(outPoint);
            }
            else
            {
                // A reorg can confirm the same transaction again at another height: the new coin replaces the old.
                // A cache of no coins takes it too, and gives it up at once in Trim.
                ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_coins, outPoint, out var known);
                slot = coin;
                if (!known)
                {
                    _order.Enqueue(outPoint);
                }
            }
        }

        Trim();
    }

    public void Clear()
    {
        _coins.Clear();
        _order.Clear();
    }

    private void Trim()
    {
        while (_coins.Count > _capacity && _order.TryDequeue(out var oldest))
        {
            _coins.Remove(oldest);
        }

        // Spent coins leave the map at once but their place in the queue only here: keep the queue
        // within a small multiple of the map so it cannot grow without bound.
        if (_order.Count > 2 * Math.Max(_capacity, 1024))
        {
            var live = _order.Where(_coins.ContainsKey).Distinct().ToList();
            _order.Clear();
            foreach (var outPoint in live)
            {
                _order.Enqueue(outPoint);
            }
        }
    }
}
