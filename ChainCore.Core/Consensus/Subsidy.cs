using ChainCore.Core.Primitives;

namespace ChainCore.Core.Consensus;

/// <summary>The block reward: 50 CHC halving every <see cref="ConsensusParams.HalvingInterval"/> blocks.</summary>
public static class Subsidy
{
    public static readonly Amount Initial = Amount.FromCoins(50);

    public static Amount ForHeight(int height, ConsensusParams p)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        ArgumentNullException.ThrowIfNull(p);
        var halvings = height / p.HalvingInterval;
        return halvings >= 64 ? Amount.Zero : new Amount(Initial.Units >> halvings);
    }
}
