namespace ChainCore.Core.Consensus;

/// <summary>The median of the last 11 block times, the lower bound a new block's time must exceed.</summary>
public static class MedianTimePast
{
    public const int Span = 11;

    /// <summary><paramref name="recentTimes"/>: the times of up to the last 11 blocks, in any order.</summary>
    public static long Compute(IReadOnlyList<long> recentTimes)
    {
        ArgumentNullException.ThrowIfNull(recentTimes);
        if (recentTimes.Count == 0)
        {
            throw new ArgumentException("At least one block time is needed.", nameof(recentTimes));
        }

        var sorted = recentTimes.TakeLast(Span).Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
