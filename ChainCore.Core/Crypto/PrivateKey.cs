using System.Security.Cryptography;
using ChainCore.Core.Serialization;

namespace ChainCore.Core.Crypto;

/// <summary>A secp256k1 private key: a 32-byte scalar in [1, n − 1].</summary>
public sealed class PrivateKey
{
    public const int Size = 32;

    private readonly byte[] _secret;

    private PrivateKey(byte[] secret)
    {
        _secret = secret;
        PublicKey = PublicKey.FromSecret(secret);
    }

    public PublicKey PublicKey { get; }

    /// <summary>A new key from the operating system's CSPRNG.</summary>
    public static PrivateKey Generate()
    {
        var secret = new byte[Size];
        do
        {
            RandomNumberGenerator.Fill(secret);
        }
        while (!Secp256k1.IsValidSecretKey(secret));

        return new PrivateKey(secret);
    }

    public static PrivateKey FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new FormatException($"A private key is {Size} bytes, got {bytes.Length}.");
        }

        if (!Secp256k1.IsValidSecretKey(bytes))
        {
            throw new FormatException("A private key must be between 1 and the curve order minus 1.");
        }

        return new PrivateKey(bytes.ToArray());
    }

    public static PrivateKey FromHex(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        if (hex.Length != Size * 2 || !Hex.TryDecode(hex, out var bytes))
        {
            throw new FormatException($"A private key is {Size * 2} hex digits.");
        }

        return FromBytes(bytes);
    }

    public byte[] ToBytes() => (byte[])_secret.Clone();

    public string ToHex() => Hex.Encode(_secret);

    /// <summary>
    /// Signs a 32-byte hash: RFC 6979 deterministic nonce (HMAC-SHA256), s in the low half
    /// (BIP 62), strict DER encoding (BIP 66) — libsecp256k1's signing, checked on the way out.
    /// </summary>
    public byte[] Sign(ReadOnlySpan<byte> hash32)
    {
        if (hash32.Length != 32)
        {
            throw new ArgumentException("Sign a 32-byte hash.", nameof(hash32));
        }

        var der = Secp256k1.Sign(hash32, _secret);
        return DerSignature.IsCanonical(der) ? der : throw new CryptographicException("The signer produced a signature that is not strict DER with low S.");
    }

    public override string ToString() => $"PrivateKey({PublicKey.ToAddress()})";
}
