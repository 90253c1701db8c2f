
namespace ChainCore.Core.Consensus;

/// <summary>Bitcoin's retarget rule.</summary>
public static class Difficulty
{
    /// <summary>
    /// Bitcoin's <c>CalculateNextWorkRequired</c>: new target = old target × actual timespan /
    /// target timespan, the actual timespan clamped to [¼, 4×] of the target, capped at the pow limit.
    /// </summary>
    public static uint NextBits(uint lastBits, long firstBlockTime, long lastBlockTime, ConsensusParams p)
    {
        ArgumentNullException.ThrowIfNull(p);
        if (p.NoRetargeting)
        {
            return lastBits;
        }

        var timespan = Math.Clamp(lastBlockTime - firstBlockTime, p.TargetTimespan / 4, p.TargetTimespan * 4);
        var target = Target.FromCompact(lastBits) * timespan / p.TargetTimespan;
        if (target > p.PowLimit)
        {
            target = p.PowLimit;
        }

        return Target.ToCompact(target);
    }

    /// <summary>Whether the block at <paramref name="height"/> starts a new retarget period.</summary>
    public static bool IsRetargetHeight(int height, ConsensusParams p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return !p.NoRetargeting && height > 0 && height % p.RetargetInterval == 0;
    }

    /// <summary>
    /// The bits required for the block at <paramref name="height"/> given the chain before it:
    /// <paramref name="blockTimeAt"/> returns the time of an earlier block and <paramref name="previousBits"/>
    /// is the parent's bits. Between retargets the parent's bits carry over.
    /// </summary>
    public static uint RequiredBits(int height, uint previousBits, Func<int, long> blockTimeAt, ConsensusParams p)
    {
        ArgumentNullException.ThrowIfNull(blockTimeAt);
        if (height == 0)
        {
            return p.PowLimitBits;
        }

        if (!IsRetargetHeight(height, p))
        {
            return previousBits;
        }

        // As Bitcoin: the period's first block to the parent, so each period measures interval − 1 gaps.
        var first = blockTimeAt(height - p.RetargetInterval);
        var last = blockTimeAt(height - 1);
        return NextBits(previousBits, first, last, p);
    }

}
