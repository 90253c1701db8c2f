using System.Numerics;
using ChainCore.Core.Primitives;

namespace ChainCore.Core.Consensus;

/// <summary>Bitcoin's compact "bits" encoding of a 256-bit target, and the proof-of-work check.</summary>
public static class Target
{
    private static readonly BigInteger TwoTo256 = BigInteger.One << 256;

    /// <summary>
    /// Decodes compact bits as Bitcoin's <c>SetCompact</c>: a 3-byte mantissa with a sign bit and a
    /// 1-byte size in bytes. <paramref name="negative"/> is set when the sign bit is on and the
    /// value non-zero; <paramref name="overflow"/> when the value does not fit in 256 bits.
    /// </summary>
    public static BigInteger Decode(uint bits, out bool negative, out bool overflow)
    {
        var size = (int)(bits >> 24);
        var word = bits & 0x007fffffu;
        if (size <= 3)
        {
            word >>= 8 * (3 - size);
        }

        BigInteger value = size <= 3 ? word : new BigInteger(word) << (8 * (size - 3));
        negative = word != 0 && (bits & 0x00800000u) != 0;
        overflow = word != 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32));
        return value;
    }

    /// <summary>The value encoded by <paramref name="bits"/>, negative when its sign bit is set; overflow throws.</summary>
    public static BigInteger FromCompact(uint bits)
    {
        var value = Decode(bits, out var negative, out var overflow);
        if (overflow)
        {
            throw new OverflowException($"Compact bits 0x{bits:x8} overflow 256 bits.");
        }

        return negative ? -value : value;
    }

    /// <summary>Encodes as Bitcoin's <c>GetCompact</c>; a negative value sets the sign bit.</summary>
    public static uint ToCompact(BigInteger target)
    {
        var negative = target.Sign < 0;
        var magnitude = BigInteger.Abs(target);
        var size = magnitude.IsZero ? 0 : (int)((magnitude.GetBitLength() + 7) / 8);
        uint compact = size <= 3
            ? (uint)(magnitude << (8 * (3 - size)))
            : (uint)(magnitude >> (8 * (size - 3)));

        // The mantissa's top bit is the sign bit: if it is set, shift one byte into the exponent.
        if ((compact & 0x00800000u) != 0)
        {
            compact >>= 8;
            size++;
        }

        compact |= (uint)size << 24;
        if (negative && (compact & 0x007fffffu) != 0)
        {
            compact |= 0x00800000u;
        }

        return compact;
    }

    /// <summary>The target <paramref name="bits"/> encode if it is a usable target for <paramref name="p"/>: positive, no overflow, not above the pow limit.</summary>
    public static bool TryGetTarget(uint bits, ConsensusParams p, out BigInteger target)
    {
        target = Decode(bits, out var negative, out var overflow);
        return !negative && !overflow && !target.IsZero && target <= p.PowLimit;
    }

    /// <summary>Bitcoin's <c>CheckProofOfWork</c>: the bits are a valid target and the hash, read as a number, does not exceed it.</summary>
    public static bool CheckProofOfWork(Hash256 hash, uint bits, ConsensusParams p) =>
        PowTarget.TryCreate(bits, p, out var target) && target.IsMetBy(hash);

    /// <summary>Expected number of hashes to find a block at <paramref name="bits"/>: 2^256 / (target + 1); zero for an unusable target.</summary>
    public static BigInteger GetBlockWork(uint bits)
    {
        var target = Decode(bits, out var negative, out var overflow);
        return negative || overflow || target.IsZero ? BigInteger.Zero : TwoTo256 / (target + 1);
    }

    /// <summary>Difficulty as a ratio to the network's pow limit (1.0 at the limit), for display only.</summary>
    public static double GetDifficulty(uint bits, ConsensusParams p)
    {
        var target = Decode(bits, out _, out _);
        return target.IsZero ? 0 : Math.Exp(BigInteger.Log(p.PowLimit) - BigInteger.Log(target));
    }
}
