using ChainCore.Core.Serialization;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math.EC;

namespace ChainCore.Core.Crypto;

/// <summary>A secp256k1 public key, a point on the curve; written SEC1 compressed (33 bytes).</summary>
public sealed class PublicKey : IEquatable<PublicKey>
{
    public const int CompressedSize = 33;
    public const int UncompressedSize = 65;

    private readonly ECPoint _point;
    private readonly byte[] _compressed;

    internal PublicKey(ECPoint point)
    {
        _point = point;
        _compressed = point.GetEncoded(compressed: true);
    }

    /// <summary>Parses SEC1: 33 bytes (0x02/0x03 ‖ x) or 65 bytes (0x04 ‖ x ‖ y); anything not a point on the curve throws <see cref="FormatException"/>.</summary>
    public static PublicKey FromBytes(ReadOnlySpan<byte> bytes)
    {
        var valid = bytes.Length switch
        {
            CompressedSize => bytes[0] is 0x02 or 0x03,
            UncompressedSize => bytes[0] == 0x04,
            _ => false,
        };
        if (!valid)
        {
            throw new FormatException("A public key is 33 bytes starting 02 or 03, or 65 bytes starting 04.");
        }

        try
        {
            var point = Secp256k1.Curve.Curve.DecodePoint(bytes.ToArray()).Normalize();
            if (point.IsInfinity || !point.IsValid())
            {
                throw new FormatException("The public key is not a point on secp256k1.");
            }

            return new PublicKey(point);
        }
        catch (ArgumentException e)
        {
            throw new FormatException("The public key is not a point on secp256k1.", e);
        }
    }

    public static PublicKey FromHex(string hex) => FromBytes(Hex.Decode(hex));

    public static bool TryFromBytes(ReadOnlySpan<byte> bytes, out PublicKey? key)
    {
        try
        {
            key = FromBytes(bytes);
            return true;
        }
        catch (FormatException)
        {
            key = null;
            return false;
        }
    }

    public byte[] ToBytes() => (byte[])_compressed.Clone();

    public byte[] ToUncompressedBytes() => _point.GetEncoded(compressed: false);

    public string ToHex() => Hex.Encode(_compressed);

    public byte[] Hash160() => Hashes.Hash160(_compressed);

    public Address ToAddress() => Address.FromPublicKeyHash(Hash160());

    /// <summary>
    /// Verifies a strict-DER, low-S signature of a 32-byte hash. Returns false, never throws, for
    /// anything malformed: non-DER, high S, r or s out of range, a hash of the wrong length.
    /// </summary>
    public bool Verify(ReadOnlySpan<byte> hash32, ReadOnlySpan<byte> der)
    {
        if (hash32.Length != 32 || !DerSignature.TryDecode(der, out var r, out var s))
        {
            return false;
        }

        if (r.SignValue <= 0 || s.SignValue <= 0 || r.CompareTo(Secp256k1.N) >= 0 || s.CompareTo(Secp256k1.HalfN) > 0)
        {
            return false;
        }

        var verifier = new ECDsaSigner();
        verifier.Init(false, new ECPublicKeyParameters(_point, Secp256k1.Domain));
        return verifier.VerifySignature(hash32.ToArray(), r, s);
    }

    public bool Equals(PublicKey? other) => other is not null && _compressed.AsSpan().SequenceEqual(other._compressed);

    public override bool Equals(object? obj) => Equals(obj as PublicKey);

    public override int GetHashCode() => HashCode.Combine(_compressed[1], _compressed[2], _compressed[3], _compressed[32]);

    public override string ToString() => ToHex();
}
