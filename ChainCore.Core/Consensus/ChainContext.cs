namespace ChainCore.Core.Consensus;

/// <summary>
/// What checking a header needs to know about the chain it extends: the parent's height and bits,
/// the median time past ending at the parent, and the time of any earlier block (for retargets).
/// </summary>
public sealed record ChainContext(int ParentHeight, uint ParentBits, long MedianTimePast, Func<int, long> BlockTimeAt);
