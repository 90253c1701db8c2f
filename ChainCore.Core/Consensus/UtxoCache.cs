using ChainCore.Core.Primitives;

namespace ChainCore.Core.Consensus;

/// <summary>
/// A UTXO view layered over another: coins added and spent here hide or extend the base view's.
/// Connecting a block validates each transaction against the cache as of its position.
/// </summary>
public sealed class UtxoCache(IUtxoView baseView) : IUtxoView
{
    private readonly IUtxoView _base = baseView ?? throw new ArgumentNullException(nameof(baseView));
    private readonly Dictionary<OutPoint, Coin> _added = [];
    private readonly HashSet<OutPoint> _spent = [];

    public Coin? GetCoin(OutPoint outPoint)
    {
        if (_spent.Contains(outPoint))
        {
            return null;
        }

        return _added.TryGetValue(outPoint, out var coin) ? coin : _base.GetCoin(outPoint);
    }

    /// <summary>Spends a coin and returns it; null if it does not exist (or was spent already).</summary>
    public Coin? Spend(OutPoint outPoint)
    {
        var coin = GetCoin(outPoint);
        if (coin is null)
        {
            return null;
        }

        if (!_added.Remove(outPoint))
        {
            _spent.Add(outPoint);
        }

        return coin;
    }

    public void AddOutputs(Transaction tx, int height)
    {
        ArgumentNullException.ThrowIfNull(tx);
        for (var i = 0; i < tx.Outputs.Length; i++)
        {
            var outPoint = new OutPoint(tx.TxId, (uint)i);
            _spent.Remove(outPoint);
            _added[outPoint] = new Coin(tx.Outputs[i], height, tx.IsCoinbase);
        }
    }
}

/// <summary>A fixed set of coins, e.g. the ones fetched from a store for one validation.</summary>
public sealed class DictionaryUtxoView(IReadOnlyDictionary<OutPoint, Coin> coins) : IUtxoView
{
    private readonly IReadOnlyDictionary<OutPoint, Coin> _coins = coins ?? throw new ArgumentNullException(nameof(coins));

    public Coin? GetCoin(OutPoint outPoint) => _coins.GetValueOrDefault(outPoint);
}
