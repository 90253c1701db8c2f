using System.Buffers.Binary;
using System.Numerics;
using ChainCore.Core.Crypto;
using ChainCore.Core.Serialization;

namespace ChainCore.Core.Primitives;

/// <summary>
/// A 32-byte hash kept in internal (hashing) byte order and shown as hex in reversed order,
/// as Bitcoin shows block and transaction ids.
/// </summary>
public readonly struct Hash256 : IEquatable<Hash256>, IComparable<Hash256>
{
    public const int Size = 32;

    // Four little-endian words of the internal byte order: cheap equality and hashing.
    private readonly ulong _w0, _w1, _w2, _w3;

    public Hash256(ReadOnlySpan<byte> internalBytes)
    {
        if (internalBytes.Length != Size)
        {
            throw new ArgumentException($"A hash is {Size} bytes, got {internalBytes.Length}.", nameof(internalBytes));
        }

        _w0 = BinaryPrimitives.ReadUInt64LittleEndian(internalBytes);
        _w1 = BinaryPrimitives.ReadUInt64LittleEndian(internalBytes[8..]);
        _w2 = BinaryPrimitives.ReadUInt64LittleEndian(internalBytes[16..]);
        _w3 = BinaryPrimitives.ReadUInt64LittleEndian(internalBytes[24..]);
    }

    public static Hash256 Zero => default;

    public bool IsZero => (_w0 | _w1 | _w2 | _w3) == 0;

    /// <summary>SHA256d of <paramref name="data"/>.</summary>
    public static Hash256 Compute(ReadOnlySpan<byte> data)
    {
        Span<byte> hash = stackalloc byte[Size];
        Hashes.Sha256d(data, hash);
        return new Hash256(hash);
    }

    /// <summary>Parses display hex (64 digits, reversed byte order).</summary>
    public static Hash256 Parse(string displayHex)
    {
        if (!TryParse(displayHex, out var hash))
        {
            throw new FormatException("A hash is 64 hex digits.");
        }

        return hash;
    }

    public static bool TryParse(string? displayHex, out Hash256 hash)
    {
        hash = default;
        if (displayHex is null || displayHex.Length != Size * 2 || !Hex.TryDecode(displayHex, out var bytes))
        {
            return false;
        }

        bytes.AsSpan().Reverse();
        hash = new Hash256(bytes);
        return true;
    }

    public static Hash256 FromInternalHex(string internalHex) => new(Hex.Decode(internalHex));

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, _w0);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], _w1);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], _w2);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[24..], _w3);
    }

    /// <summary>The bytes in internal order.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[Size];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>The hash read as a 256-bit little-endian unsigned number, as proof of work compares it.</summary>
    public BigInteger ToBigInteger() => new(ToBytes(), isUnsigned: true, isBigEndian: false);

    public override string ToString()
    {
        var bytes = ToBytes();
        bytes.AsSpan().Reverse();
        return Hex.Encode(bytes);
    }

    public bool Equals(Hash256 other) => _w0 == other._w0 && _w1 == other._w1 && _w2 == other._w2 && _w3 == other._w3;

    public override bool Equals(object? obj) => obj is Hash256 other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_w0, _w1, _w2, _w3);

    /// <summary>Numeric order of the 256-bit little-endian values.</summary>
    public int CompareTo(Hash256 other)
    {
        var c = _w3.CompareTo(other._w3);
        if (c != 0)
        {
            return c;
        }

        c = _w2.CompareTo(other._w2);
        if (c != 0)
        {
            return c;
        }

        c = _w1.CompareTo(other._w1);
        return c != 0 ? c : _w0.CompareTo(other._w0);
    }

    public static bool operator ==(Hash256 left, Hash256 right) => left.Equals(right);

    public static bool operator !=(Hash256 left, Hash256 right) => !left.Equals(right);

    public static bool operator <(Hash256 left, Hash256 right) => left.CompareTo(right) < 0;

    public static bool operator >(Hash256 left, Hash256 right) => left.CompareTo(right) > 0;

    public static bool operator <=(Hash256 left, Hash256 right) => left.CompareTo(right) <= 0;

    public static bool operator >=(Hash256 left, Hash256 right) => left.CompareTo(right) >= 0;
}
