namespace ChainCore.Node.Mempool;

/// <summary>Fees over bytes, compared exactly (cross-multiplied in 128 bits, never through floating point).</summary>
internal readonly record struct FeeRate(long Fees, long Size) : IComparable<FeeRate>
{
    public int CompareTo(FeeRate other) => Math.BigMul(Fees, other.Size).CompareTo(Math.BigMul(other.Fees, Size));

    public static FeeRate Max(FeeRate a, FeeRate b) => a.CompareTo(b) >= 0 ? a : b;

    public static FeeRate Min(FeeRate a, FeeRate b) => a.CompareTo(b) <= 0 ? a : b;
}
