using ChainCore.Core.Serialization;

namespace ChainCore.Core.Crypto;

/// <summary>A secp256k1 public key, a point on the curve; written SEC1 compressed (33 bytes).</summary>
public sealed class PublicKey : IEquatable<PublicKey>
{
    public const int CompressedSize = 33;
    public const int UncompressedSize = 65;

    private readonly byte[] _parsed;
    private readonly byte[] _compressed;

    /// <param name="compressed">The key's SEC1 compressed form when the caller has it (a compressed key just parsed), else null.</param>
    private PublicKey(byte[] parsed, byte[]? compressed = null)
    {
        _parsed = parsed;
        _compressed = compressed ?? Secp256k1.SerializePublicKey(parsed, compressed: true);
    }

    /// <summary>Parses SEC1: 33 bytes (0x02/0x03 ‖ x) or 65 bytes (0x04 ‖ x ‖ y); anything not a point on the curve throws <see cref="FormatException"/>.</summary>
    public static PublicKey FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (!HasSec1Shape(bytes))
        {
            throw new FormatException("A public key is 33 bytes starting 02 or 03, or 65 bytes starting 04.");
        }

        return TryFromBytes(bytes, out var key) ? key! : throw new FormatException("The public key is not a point on secp256k1.");
    }

    public static PublicKey FromHex(string hex) => FromBytes(Hex.Decode(hex));

    /// <summary>Like <see cref="FromBytes"/>, without an exception for bytes that are not a key.</summary>
    public static bool TryFromBytes(ReadOnlySpan<byte> bytes, out PublicKey? key)
    {
        key = null;
        if (!HasSec1Shape(bytes))
        {
            return false;
        }

        var parsed = new byte[Secp256k1.ParsedPublicKeySize];
        if (!Secp256k1.TryParsePublicKey(bytes, parsed))
        {
            return false;
        }

        // A compressed key that parsed is its own compressed form: no second call into the library on the verify path.
        key = new PublicKey(parsed, bytes.Length == CompressedSize ? bytes.ToArray() : null);
        return true;
    }

    internal static PublicKey FromSecret(ReadOnlySpan<byte> secret) => new(Secp256k1.CreatePublicKey(secret));

    public byte[] ToBytes() => (byte[])_compressed.Clone();

    public byte[] ToUncompressedBytes() => Secp256k1.SerializePublicKey(_parsed, compressed: false);

    public string ToHex() => Hex.Encode(_compressed);

    public byte[] Hash160() => Hashes.Hash160(_compressed);

    public Address ToAddress() => Address.FromPublicKeyHash(Hash160());

    /// <summary>
    /// Verifies a strict-DER, low-S signature of a 32-byte hash. Returns false, never throws, for
    /// anything malformed: non-DER, high S, r or s out of range, a hash of the wrong length.
    /// Our own encoding checks run first, then libsecp256k1's verify.
    /// </summary>
    public bool Verify(ReadOnlySpan<byte> hash32, ReadOnlySpan<byte> der) =>
        hash32.Length == 32 && DerSignature.IsCanonical(der) && Secp256k1.Verify(_parsed, hash32, der);

    public bool Equals(PublicKey? other) => other is not null && _compressed.AsSpan().SequenceEqual(other._compressed);

    public override bool Equals(object? obj) => Equals(obj as PublicKey);

    public override int GetHashCode() => HashCode.Combine(_compressed[1], _compressed[2], _compressed[3], _compressed[32]);

    public override string ToString() => ToHex();

    // libsecp256k1 also parses "hybrid" keys (06/07 ‖ x ‖ y); SEC1 as used here does not have them.
    private static bool HasSec1Shape(ReadOnlySpan<byte> bytes) => bytes.Length switch
    {
        CompressedSize => bytes[0] is 0x02 or 0x03,
        UncompressedSize => bytes[0] == 0x04,
        _ => false,
    };
}
