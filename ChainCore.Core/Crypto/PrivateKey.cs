using System.Security.Cryptography;
using ChainCore.Core.Serialization;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Utilities;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace ChainCore.Core.Crypto;

/// <summary>A secp256k1 private key: a 32-byte scalar in [1, n − 1].</summary>
public sealed class PrivateKey
{
    public const int Size = 32;

    private readonly BigInteger _d;
    private readonly ECPrivateKeyParameters _parameters;

    private PrivateKey(BigInteger d)
    {
        _d = d;
        _parameters = new ECPrivateKeyParameters(d, Secp256k1.Domain);
        PublicKey = new PublicKey(Secp256k1.Domain.G.Multiply(d).Normalize());
    }

    public PublicKey PublicKey { get; }

    /// <summary>A new key from the operating system's CSPRNG.</summary>
    public static PrivateKey Generate()
    {
        Span<byte> bytes = stackalloc byte[Size];
        while (true)
        {
            RandomNumberGenerator.Fill(bytes);
            var d = new BigInteger(1, bytes.ToArray());
            if (IsValidScalar(d))
            {
                return new PrivateKey(d);
            }
        }
    }

    public static PrivateKey FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new FormatException($"A private key is {Size} bytes, got {bytes.Length}.");
        }

        var d = new BigInteger(1, bytes.ToArray());
        if (!IsValidScalar(d))
        {
            throw new FormatException("A private key must be between 1 and the curve order minus 1.");
        }

        return new PrivateKey(d);
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

    public byte[] ToBytes() => BigIntegers.AsUnsignedByteArray(Size, _d);

    public string ToHex() => Hex.Encode(ToBytes());

    /// <summary>
    /// Signs a 32-byte hash: RFC 6979 deterministic nonce (HMAC-SHA256), s normalized to the low
    /// half (BIP 62), strict DER encoding (BIP 66).
    /// </summary>
    public byte[] Sign(ReadOnlySpan<byte> hash32)
    {
        if (hash32.Length != 32)
        {
            throw new ArgumentException("Sign a 32-byte hash.", nameof(hash32));
        }

        var signer = new ECDsaSigner(new HMacDsaKCalculator(new Sha256Digest()));
        signer.Init(true, _parameters);
        var rs = signer.GenerateSignature(hash32.ToArray());
        var s = rs[1].CompareTo(Secp256k1.HalfN) > 0 ? Secp256k1.N.Subtract(rs[1]) : rs[1];
        return DerSignature.Encode(rs[0], s);
    }

    public override string ToString() => $"PrivateKey({PublicKey.ToAddress()})";

    private static bool IsValidScalar(BigInteger d) => d.SignValue > 0 && d.CompareTo(Secp256k1.N) < 0;
}
