using ChainCore.Core.Primitives;

namespace ChainCore.Core.Consensus;

/// <summary>An unspent output with what maturity needs: the height it was created at and whether a coinbase created it.</summary>
public sealed record Coin(TxOut Output, int Height, bool IsCoinbase);

/// <summary>Read access to unspent outputs, as of some chain tip.</summary>
public interface IUtxoView
{
    Coin? GetCoin(OutPoint outPoint);
}
