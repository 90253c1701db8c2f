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
        // A negative count shifts the other way: under 3 bytes, the mantissa's low bytes drop off.
        var value = new BigInteger(word) << (8 * (size - 3));
        negative = !value.IsZero && (bits & 0x00800000u) != 0;
        overflow = !value.IsZero && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32));
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
        var magnitude = BigInteger.Abs(target);
        var size = (int)((magnitude.GetBitLength() + 7) / 8);
        // A negative count shifts the other way: under 3 bytes, the value moves up into the mantissa.
        var mantissa = (uint)(magnitude >> (8 * (size - 3)));

        // The mantissa's top bit is the sign bit: if it would be set, move one byte into the exponent.
        if (mantissa >= 0x00800000u)
        {
            mantissa /= 0x100;
            size++;
        }

        // A non-zero value always leaves a non-zero mantissa, so a negative one always shows its sign.
        var sign = target.Sign < 0 ? 0x00800000u : 0u;
        return ((uint)size << 24) | mantissa | sign;
    }

    /// <summary>The target <paramref name="bits"/> encode if it is a usable target for <paramref name="p"/>: positive, no overflow, not above the pow limit.</summary>
    public static bool TryGetTarget(uint bits, ConsensusParams p, out BigInteger target)
    {
        ArgumentNullException.ThrowIfNull(p);
        target = Decode(bits, out var negative, out var overflow);
        return !negative && !overflow && !target.IsZero && target <= p.PowLimit;
    }

    /// <summary>Bitcoin's <c>CheckProofOfWork</c>: the bits are a valid target and the hash, read as a number, does not exceed it.</summary>
    public static bool CheckProofOfWork(Hash256 hash, uint bits, ConsensusParams p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return PowTarget.TryCreate(bits, p, out var target) && target.IsMetBy(hash);
    }

    /// <summary>Expected number of hashes to find a block at <paramref name="bits"/>: 2^256 / (target + 1); zero for an unusable target.</summary>
    public static BigInteger GetBlockWork(uint bits)
    {
        var target = Decode(bits, out var negative, out var overflow);
        return negative || overflow || target.IsZero ? BigInteger.Zero : TwoTo256 / (target + 1);
    }

    /// <summary>Difficulty as a ratio to the network's pow limit (1.0 at the limit), for display only.</summary>
    public static double GetDifficulty(uint bits, ConsensusParams p)
    {
        ArgumentNullException.ThrowIfNull(p);
        var target = Decode(bits, out _, out _);
        return target.IsZero ? 0 : Math.Exp(BigInteger.Log(p.PowLimit) - BigInteger.Log(target));
    }
}
