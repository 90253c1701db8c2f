using System.Buffers.Binary;
using ChainCore.Core.Primitives;

namespace ChainCore.Core.Consensus;

/// <summary>
/// A proof-of-work target decoded once from compact bits and held as a <see cref="Hash256"/>, so that
/// checking a hash is a comparison of four words: no <see cref="System.Numerics.BigInteger"/> per hash.
/// </summary>
public readonly struct PowTarget : IEquatable<PowTarget>
{
    private PowTarget(Hash256 value, uint bits)
    {
        Value = value;
        Bits = bits;
    }

    /// <summary>The target as a 256-bit little-endian number, in a hash's internal byte order.</summary>
    public Hash256 Value { get; }

    public uint Bits { get; }

    /// <summary>The target's most significant 32 bits: a hash whose top 32 bits exceed them cannot meet it.</summary>
    public uint TopWord
    {
        get
        {
            Span<byte> bytes = stackalloc byte[Hash256.Size];
            Value.WriteTo(bytes);
            return BinaryPrimitives.ReadUInt32LittleEndian(bytes[28..]);
        }
    }

    /// <summary>The target <paramref name="bits"/> encode when it is usable on <paramref name="p"/> (positive, no overflow, not above the pow limit).</summary>
    public static bool TryCreate(uint bits, ConsensusParams p, out PowTarget target)
    {
        ArgumentNullException.ThrowIfNull(p);
        target = default;
        if (!Target.TryGetTarget(bits, p, out var value))
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[Hash256.Size];
        value.TryWriteBytes(bytes, out _, isUnsigned: true, isBigEndian: false);
        target = new PowTarget(new Hash256(bytes), bits);
        return true;
    }

    public static PowTarget Create(uint bits, ConsensusParams p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return TryCreate(bits, p, out var target) ? target : throw new ArgumentException($"Bits 0x{bits:x8} are not a usable target on {p.Name}.", nameof(bits));
    }

    /// <summary>A target from its 256-bit value (tests and benchmarks: an unreachable target, say).</summary>
    public static PowTarget FromValue(Hash256 value) => new(value, 0);

    /// <summary>True when <paramref name="hash"/>, read as a number, does not exceed the target.</summary>
    public bool IsMetBy(Hash256 hash) => hash <= Value;

    public bool Equals(PowTarget other) => Value == other.Value && Bits == other.Bits;

    public override bool Equals(object? obj) => obj is PowTarget other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Value, Bits);

    public static bool operator ==(PowTarget left, PowTarget right) => left.Equals(right);

    public static bool operator !=(PowTarget left, PowTarget right) => !left.Equals(right);
}
